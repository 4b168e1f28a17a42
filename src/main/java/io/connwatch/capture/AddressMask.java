package io.connwatch.capture;

/**
 * Hides the host part of client addresses where dumps and events leave the machine: {@code 203.0.113.7} becomes
 * {@code 203.0.113.x}, an IPv6 address keeps its first four groups ({@code 2001:db8:1:2::x}); anything else becomes
 * {@code x}. Enough to tell networks apart, not people.
 */
public final class AddressMask {
    private AddressMask() {
    }

    /** The masked form of a textual address. */
    public static String mask(String address) {
        if (address == null || address.isEmpty()) {
            return address;
        }
        int lastDot = address.lastIndexOf('.');
        if (address.indexOf(':') < 0 && lastDot > 0) {
            return address.substring(0, lastDot) + ".x";
        }
        if (address.indexOf(':') >= 0) {
            String[] groups = address.split(":", -1);
            StringBuilder out = new StringBuilder();
            int kept = 0;
            for (String g : groups) {
                if (kept == 4 || g.isEmpty()) {
                    break;
                }
                out.append(g).append(':');
                kept++;
            }
            return out.append(":x").toString();
        }
        return "x";
    }
}
