package io.connwatch.agent.apps;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A small keep-alive HTTP/1.1 load client on plain sockets: {@code connections} connections at once, each sending
 * {@code requests} {@code GET}s one after the other on the same connection (a new connection only after a failure or
 * a {@code Connection: close}). A request is ok when its answer has a 2xx status; anything else (another status, a
 * timeout, a reset, a refused connect) is a failure, and the client carries on.
 *
 * <p>In a test, in-process: {@link #run} for a load, {@link #hold} for connections kept open afterwards,
 * {@link Connection} for one connection driven request by request. As a program, in a JVM of its own:
 *
 * <pre>{@code
 * KeepAliveLoad HOST:PORT [--connections N] [--requests M] [--path /] [--timeout-ms 10000] [--hold]
 * }</pre>
 *
 * prints {@link AppLines#DONE}; with {@code --hold} then {@link AppLines#HOLDING} and keeps the connections open
 * (idle) until {@code stop}, SIGTERM or SIGINT. Connections beyond {@value #MAX_THREADS} take turns.
 */
public final class KeepAliveLoad {
    /** Connections driven at the same time, each by its own thread. */
    public static final int MAX_THREADS = 256;

    private KeepAliveLoad() {
    }

    /** Requests answered with a 2xx status, and the others. */
    public record Result(long ok, long failed) {
        /** {@link AppLines#DONE}, as the program prints it. */
        public String line() {
            return "done ok=" + ok + " failed=" + failed;
        }
    }

    /** One HTTP answer: its status, its headers (names in lower case), its body. */
    public record Response(int status, Map<String, String> headers, byte[] body) {
        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** Whether the server keeps the connection open after it. */
        public boolean keepAlive() {
            return !"close".equalsIgnoreCase(headers.getOrDefault("connection", ""));
        }
    }

    /** {@link #run}'s connections, still open: close them when done. */
    public static final class Held implements Closeable {
        private final Result result;
        private final List<Connection> connections;

        Held(Result result, List<Connection> connections) {
            this.result = result;
            this.connections = connections;
        }

        public Result result() {
            return result;
        }

        /** The connections still open after their requests. */
        public int size() {
            return connections.size();
        }

        @Override
        public void close() {
            connections.forEach(Connection::close);
        }
    }

    /**
     * {@code connections} keep-alive connections to {@code server}, each sending {@code requestsEach} {@code GET path}
     * in turn; returns once all are answered (or failed), every connection closed.
     */
    public static Result run(InetSocketAddress server, String path, int connections, int requestsEach,
            Duration readTimeout) throws InterruptedException {
        try (Held held = load(server, path, connections, requestsEach, readTimeout, false)) {
            return held.result();
        }
    }

    /** As {@link #run}, the connections left open (idle) afterwards. */
    public static Held hold(InetSocketAddress server, String path, int connections, int requestsEach,
            Duration readTimeout) throws InterruptedException {
        return load(server, path, connections, requestsEach, readTimeout, true);
    }

    private static Held load(InetSocketAddress server, String path, int connections, int requestsEach,
            Duration readTimeout, boolean keep) throws InterruptedException {
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        List<Connection> kept = Collections.synchronizedList(new ArrayList<>());
        ExecutorService threads = Executors.newFixedThreadPool(Math.max(1, Math.min(connections, MAX_THREADS)));
        try {
            for (int c = 0; c < connections; c++) {
                threads.execute(() -> {
                    Connection conn = null;
                    for (int r = 0; r < requestsEach; r++) {
                        try {
                            if (conn == null) {
                                conn = Connection.open(server, readTimeout);
                            }
                            Response response = conn.get(path);
                            (response.status() / 100 == 2 ? ok : failed).incrementAndGet();
                            if (!response.keepAlive()) {
                                conn.close();
                                conn = null;
                            }
                        } catch (IOException e) {
                            failed.incrementAndGet();
                            if (conn != null) {
                                conn.close();
                                conn = null;
                            }
                        }
                    }
                    if (keep && conn == null) {
                        try {
                            conn = Connection.open(server, readTimeout);
                        } catch (IOException e) {
                            failed.incrementAndGet();
                        }
                    }
                    if (conn != null) {
                        if (keep) {
                            kept.add(conn);
                        } else {
                            conn.close();
                        }
                    }
                });
            }
        } finally {
            threads.shutdown();
        }
        threads.awaitTermination(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
        return new Held(new Result(ok.get(), failed.get()), kept);
    }

    /**
     * One keep-alive HTTP/1.1 connection on a plain socket, answers read in order. For tests: {@link #send} a request
     * without waiting, {@link #read} an answer with the read timeout as it is set now.
     */
    public static final class Connection implements Closeable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final String host;

        private Connection(Socket socket, String host) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream(), 8192);
            this.out = socket.getOutputStream();
            this.host = host;
        }

        /** Connects to {@code server} within {@code readTimeout}; each read then waits at most that long. */
        public static Connection open(InetSocketAddress server, Duration readTimeout) throws IOException {
            Socket s = new Socket();
            try {
                s.connect(server, (int) readTimeout.toMillis());
                s.setSoTimeout((int) readTimeout.toMillis());
                s.setTcpNoDelay(true);
                return new Connection(s, server.getHostString() + ":" + server.getPort());
            } catch (IOException e) {
                s.close();
                throw e;
            }
        }

        /**
         * Connects over TLS, trusting what {@code tls} trusts, and finishes the handshake within {@code readTimeout};
         * each read then waits at most that long.
         */
        public static Connection openTls(InetSocketAddress server, Duration readTimeout, SSLContext tls)
                throws IOException {
            Connection plain = open(server, readTimeout);
            try {
                SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(plain.socket, server.getHostString(),
                        server.getPort(), true);
                s.startHandshake();
                return new Connection(s, plain.host);
            } catch (IOException e) {
                plain.close();
                throw e;
            }
        }

        /** {@link #send} then {@link #read}. */
        public Response get(String path) throws IOException {
            send(path);
            return read();
        }

        /** Sends {@code GET path}, keep-alive, without reading. */
        public void send(String path) throws IOException {
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: KeepAliveLoad\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        /**
         * The next answer, body by {@code Content-Length}, chunks, or to the end of the stream. A read that waits
         * longer than the timeout throws {@link java.net.SocketTimeoutException}; the end of the stream before a
         * whole answer, {@link EOFException}.
         */
        public Response read() throws IOException {
            String statusLine = line();
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
                throw new IOException("not an HTTP status line: '" + statusLine + "'");
            }
            int status;
            try {
                status = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                throw new IOException("not an HTTP status line: '" + statusLine + "'", e);
            }
            Map<String, String> headers = new LinkedHashMap<>();
            for (String h = line(); !h.isEmpty(); h = line()) {
                int colon = h.indexOf(':');
                if (colon > 0) {
                    headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
                }
            }
            byte[] body;
            if (status / 100 == 1 || status == 204 || status == 304) {
                body = new byte[0];
            } else if (headers.containsKey("content-length")) {
                body = exactly(Integer.parseInt(headers.get("content-length")));
            } else if ("chunked".equalsIgnoreCase(headers.getOrDefault("transfer-encoding", ""))) {
                ByteArrayOutputStream chunks = new ByteArrayOutputStream();
                for (int size = chunkSize(); size > 0; size = chunkSize()) {
                    chunks.write(exactly(size));
                    line();
                }
                for (String trailer = line(); !trailer.isEmpty(); trailer = line()) {
                    // trailers are not kept
                }
                body = chunks.toByteArray();
            } else {
                body = in.readAllBytes();
            }
            return new Response(status, headers, body);
        }

        /** Sets how long a read may wait from now on. */
        public void readTimeout(Duration timeout) throws IOException {
            socket.setSoTimeout((int) timeout.toMillis());
        }

        /** The socket, to half-close it or read its ports. */
        public Socket socket() {
            return socket;
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing: nothing left to do with it
            }
        }

        private int chunkSize() throws IOException {
            String l = line();
            int semi = l.indexOf(';');
            try {
                return Integer.parseInt((semi >= 0 ? l.substring(0, semi) : l).trim(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("not a chunk size: '" + l + "'", e);
            }
        }

        private byte[] exactly(int n) throws IOException {
            byte[] b = in.readNBytes(n);
            if (b.length < n) {
                throw new EOFException("the stream ended after " + b.length + " of " + n + " bytes");
            }
            return b;
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new EOFException(sb.length() == 0 ? "the stream ended" : "the stream ended in a line");
                }
                if (c != '\r') {
                    sb.append((char) c);
                }
            }
            return sb.toString();
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args[0].startsWith("--")) {
            throw AppLifecycle.refuse("usage: KeepAliveLoad HOST:PORT [--connections N] [--requests M] [--path /]"
                    + " [--timeout-ms MS] [--hold]");
        }
        int colon = args[0].lastIndexOf(':');
        if (colon <= 0) {
            throw AppLifecycle.refuse("HOST:PORT must be a host and a port, like 127.0.0.1:8080, not '" + args[0]
                    + "'");
        }
        InetSocketAddress server = new InetSocketAddress(args[0].substring(0, colon),
                AppLifecycle.number("PORT", args[0].substring(colon + 1), 1, 65535));
        int connections = 8;
        int requests = 100;
        String path = "/";
        int timeoutMs = 10_000;
        boolean hold = false;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--hold")) {
                hold = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw AppLifecycle.refuse("option '" + a + "' needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--connections" -> connections = AppLifecycle.number(a, v, 1, 1_000_000);
                case "--requests" -> requests = AppLifecycle.number(a, v, 0, Integer.MAX_VALUE);
                case "--path" -> path = v;
                case "--timeout-ms" -> timeoutMs = AppLifecycle.number(a, v, 1, Integer.MAX_VALUE);
                default -> throw AppLifecycle.refuse("unknown option '" + a + "': the options are --connections,"
                        + " --requests, --path, --timeout-ms and --hold");
            }
        }
        Duration timeout = Duration.ofMillis(timeoutMs);
        if (!hold) {
            System.out.println(run(server, path, connections, requests, timeout).line());
            return;
        }
        try (Held held = hold(server, path, connections, requests, timeout)) {
            System.out.println(held.result().line());
            System.out.println("holding " + held.size() + " connections");
            AppLifecycle.awaitStop(AppLifecycle::unknownCommand);
        }
        AppLifecycle.exitStopped();
    }
}
