package io.connwatch.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Backends on loopback that behave the ways the fault scenarios need (docs/RELIABILITY.md): they echo, hang, drip an
 * answer or never accept. The demo has its own; this one is the tests'.
 */
public final class TestBackend implements AutoCloseable {
    /** How the backend treats each connection. */
    public enum Behaviour {
        /** Echoes what it reads; closes when the client half-closes. */
        ECHO,
        /** Reads and never answers nor closes. */
        HANG,
        /** Answers the first read with one byte every 100 ms, forever. */
        DRIP,
        /** Never accepts: its backlog is full, so new connects hang until they time out. */
        NEVER_ACCEPT,
    }

    private final ServerSocket server;
    private final Behaviour behaviour;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "backend");
        t.setDaemon(true);
        return t;
    });
    private final ScheduledExecutorService drip = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "backend-drip");
        t.setDaemon(true);
        return t;
    });
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    /** Starts a backend on an ephemeral loopback port. */
    public TestBackend(Behaviour behaviour) throws IOException {
        this.behaviour = behaviour;
        if (behaviour == Behaviour.NEVER_ACCEPT) {
            this.server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            // Fill the accept queue (backlog + 1 on Linux): later SYNs are dropped and connects hang.
            for (int i = 0; i < 2; i++) {
                Socket filler = new Socket();
                filler.connect(address(), 1000);
                sockets.add(filler);
            }
        } else {
            this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
            threads.execute(this::acceptLoop);
        }
    }

    /** An address on loopback where nothing listens: connects are refused. */
    public static InetSocketAddress refusingAddress() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
        }
    }

    /** Where to connect. */
    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                threads.execute(() -> serve(s));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        byte[] buf = new byte[8192];
        try {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            int n;
            boolean dripping = false;
            while ((n = in.read(buf)) >= 0) {
                if (behaviour == Behaviour.ECHO) {
                    out.write(buf, 0, n);
                    out.flush();
                } else if (behaviour == Behaviour.DRIP && !dripping) {
                    dripping = true;
                    drip.scheduleAtFixedRate(() -> {
                        try {
                            out.write('.');
                            out.flush();
                        } catch (IOException gone) {
                            throw new IllegalStateException(gone); // ends this drip
                        }
                    }, 0, 100, TimeUnit.MILLISECONDS);
                }
            }
            if (behaviour == Behaviour.ECHO) {
                s.close();
            }
            // HANG and DRIP keep their side open after the client's half-close.
        } catch (IOException gone) {
            TestRelay.closeQuietly(s);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            TestRelay.closeQuietly(s);
        }
        drip.shutdownNow();
        threads.shutdownNow();
    }
}
