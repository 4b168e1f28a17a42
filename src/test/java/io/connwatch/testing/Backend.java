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

/** Backends on loopback that behave the ways SPEC's fault scenarios need. */
public final class Backend implements AutoCloseable {
    /** How the backend treats each connection. */
    public enum Behaviour {
        /** Echoes what it reads. */
        ECHO,
        /** Reads and never answers nor closes. */
        HANG,
        /** Answers each read with one byte every 100 ms, forever. */
        DRIP,
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

    public Backend(Behaviour behaviour) throws IOException {
        this.behaviour = behaviour;
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
    }

    /** Accepted connections so far. */
    public int accepted() {
        return sockets.size();
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
                            throw new IllegalStateException(gone);
                        }
                    }, 0, 100, TimeUnit.MILLISECONDS);
                }
            }
            if (behaviour == Behaviour.ECHO) {
                s.close();
            }
            // HANG and DRIP keep their side open after the client's half-close.
        } catch (IOException gone) {
            RelayProxy.closeQuietly(s);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            RelayProxy.closeQuietly(s);
        }
        drip.shutdownNow();
        threads.shutdownNow();
    }
}
