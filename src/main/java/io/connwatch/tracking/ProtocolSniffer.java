package io.connwatch.tracking;

/**
 * Recognises, from a client's first bytes, what changes a connection's timeouts: TLS (its first byte is a
 * handshake record) and HTTP keep-alive (an HTTP/1.1 request without {@code Connection: close}, or an explicit
 * {@code Connection: keep-alive}). Runs once per connection, on its first read.
 */
public final class ProtocolSniffer {
    private static final int TLS_HANDSHAKE = 0x16;
    private static final int MAX_HEAD = 1024;

    private ProtocolSniffer() {
    }

    /** Marks the connection from its first bytes, given by an accessor so any buffer type works. */
    public static void sniff(TrackedConnection c, ByteSource first, int length) {
        if (length <= 0) {
            return;
        }
        if ((first.byteAt(0) & 0xff) == TLS_HANDSHAKE) {
            c.tls(true);
            return;
        }
        int n = Math.min(length, MAX_HEAD);
        StringBuilder head = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            char ch = (char) (first.byteAt(i) & 0xff);
            head.append(Character.toLowerCase(ch));
        }
        int eol = head.indexOf("\n");
        if (eol <= 0) {
            return;
        }
        String requestLine = head.substring(0, eol);
        if (!requestLine.contains(" http/1.")) {
            return;
        }
        boolean http11 = requestLine.contains("http/1.1");
        c.keepAlive(head.indexOf("connection: keep-alive") >= 0
                || http11 && head.indexOf("connection: close") < 0);
    }

    /** Marks the connection from the first bytes in an array. */
    public static void sniff(TrackedConnection c, byte[] buf, int length) {
        sniff(c, i -> buf[i], length);
    }

    /** Random access to a buffer's bytes. */
    @FunctionalInterface
    public interface ByteSource {
        /** The byte at {@code index}. */
        byte byteAt(int index);
    }
}
