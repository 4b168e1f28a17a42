package io.connwatch.cli;

import java.net.InetSocketAddress;
import picocli.CommandLine;

/**
 * {@code HOST:PORT} ({@code [v6]:PORT} for IPv6), port 0 to 65535, for {@code --listen} and {@code --target}. The host
 * must resolve now: a name that does not is a typo far more often than a DNS outage. Whether port 0 is allowed is the
 * command's call ({@code --listen} takes it as "any free port").
 */
final class HostPort implements CommandLine.ITypeConverter<InetSocketAddress> {
    @Override
    public InetSocketAddress convert(String value) {
        return parse(value);
    }

    static InetSocketAddress parse(String value) {
        String v = value == null ? "" : value.trim();
        String shown = Printable.of(String.valueOf(value));
        int colon = v.lastIndexOf(':');
        if (colon <= 0 || colon == v.length() - 1) {
            throw new CommandLine.TypeConversionException("'" + shown + "' is not HOST:PORT");
        }
        String host = v.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(v.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + shown + "': the port is not a number");
        }
        if (port < 0 || port > 65535) {
            throw new CommandLine.TypeConversionException("'" + shown + "': the port must be 0..65535");
        }
        if (host.isBlank() || host.codePoints().anyMatch(Character::isISOControl)) {
            throw new CommandLine.TypeConversionException("'" + shown + "' is not HOST:PORT");
        }
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new CommandLine.TypeConversionException("'" + shown + "': unknown host '" + Printable.of(host)
                    + "'");
        }
        return address;
    }
}
