package io.connwatch.testing;

import static io.connwatch.testing.TestTimes.ms;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Client sockets on loopback as the tests use them: bounded connects and reads, whole requests, the end awaited. */
public final class Sockets {
    /** A keep-alive HTTP/1.1 request, the one a client sends through a relay or proxy. Not to be modified. */
    public static final byte[] REQUEST = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    /** How long a {@link #connect} may take. */
    public static final Duration CONNECT_TIMEOUT = ms(3000);
    /** How long a read may block: only a failure comes near it. */
    public static final Duration READ_TIMEOUT = ms(8000);

    private Sockets() {
    }

    /** A socket connected to {@code address} within {@link #CONNECT_TIMEOUT}; its reads wait {@link #READ_TIMEOUT}. */
    public static Socket connect(InetSocketAddress address) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(address, (int) CONNECT_TIMEOUT.toMillis());
            s.setSoTimeout((int) READ_TIMEOUT.toMillis());
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** Writes {@code bytes} and flushes them. */
    public static void send(Socket s, byte[] bytes) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(bytes);
        out.flush();
    }

    /**
     * Reads until the peer closes (whatever still arrives is skipped); a read blocked for {@link #READ_TIMEOUT}
     * fails with {@link java.net.SocketTimeoutException}.
     */
    public static void assertEndOfStream(Socket s) throws IOException {
        s.setSoTimeout((int) READ_TIMEOUT.toMillis());
        InputStream in = s.getInputStream();
        int b;
        do {
            b = in.read();
        } while (b >= 0);
    }

    /** A loopback port nothing listened on a moment ago: for a server to bind, or a connect to be refused. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** {@link #freePort()} on loopback. */
    public static InetSocketAddress unusedAddress() throws IOException {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), freePort());
    }
}
