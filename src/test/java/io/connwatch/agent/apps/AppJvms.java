package io.connwatch.agent.apps;

import io.connwatch.ConnectionMonitor;
import io.connwatch.testing.ChildJvm;
import java.io.File;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.stream.Collectors;

/**
 * Starting this package's applications in child JVMs, for tests: with the test class path minus connwatch's own
 * classes, so that an application holds nothing of connwatch but what an agent brings it, and waiting for their
 * lines. Not used by the applications themselves.
 *
 * <pre>{@code
 * ChildJvm backend = jvms.start(AppJvms.app(HangingBackend.class, "http-hang-path"));
 * int backendPort = AppJvms.awaitPort(backend);
 * ChildJvm gateway = jvms.start(AppJvms.app(ReactorForwardingServer.class, 0, AppJvms.baseUrl(backendPort))
 *         .jvm("-javaagent:" + System.getProperty("connwatch.jar") + "=name=gw"));
 * InetSocketAddress address = AppJvms.awaitAddress(gateway);
 * }</pre>
 */
public final class AppJvms {
    private AppJvms() {
    }

    /**
     * The test class path without the entry connwatch's classes come from ({@code target/classes}, or the library
     * jar): the frameworks (Netty, Reactor Netty) and the test classes stay.
     */
    public static String classPath() {
        Path connwatch = location(ConnectionMonitor.class);
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.isEmpty() && !Path.of(e).toAbsolutePath().normalize().equals(connwatch))
                .collect(Collectors.joining(File.pathSeparator));
    }

    /** {@code java -cp <classPath()> main args}; add {@code .jvm("-javaagent:...")} to bring the agent. */
    public static ChildJvm.Command app(Class<?> main, Object... args) {
        return ChildJvm.main(main, classPath()).args(args);
    }

    /** Waits for {@link AppLines#LISTENING}; the port. */
    public static int awaitPort(ChildJvm server) {
        return Integer.parseInt(server.awaitMatch(AppLines.LISTENING).group(1));
    }

    /** Waits for {@link AppLines#LISTENING}; where the server listens. */
    public static InetSocketAddress awaitAddress(ChildJvm server) {
        return new InetSocketAddress("127.0.0.1", awaitPort(server));
    }

    /** {@code http://127.0.0.1:port}, a backend base URL for {@link ReactorForwardingServer}. */
    public static String baseUrl(int port) {
        return "http://127.0.0.1:" + port;
    }

    /**
     * Asks a {@link HangingBackend} for its counts; the matched {@link AppLines#COUNTS} line (groups: open, accepted,
     * answered, hung).
     */
    public static Matcher counts(ChildJvm backend) {
        backend.send("count");
        return backend.awaitMatch(AppLines.COUNTS);
    }

    private static Path location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath()
                    .normalize();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
