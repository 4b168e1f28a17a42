package io.connwatch.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/** Real connected socket pairs on loopback, for tests that need many live sockets without a relay. */
public final class SocketPairs implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> all = new ArrayList<>();

    public SocketPairs() throws IOException {
        server = new ServerSocket(0, 1000, InetAddress.getLoopbackAddress());
    }

    /** Connects a client and returns the accepted, server-side socket. */
    public Socket accept() throws IOException {
        Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
        Socket accepted = server.accept();
        all.add(client);
        all.add(accepted);
        return accepted;
    }

    /** The server's port. */
    public int port() {
        return server.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        for (Socket s : all) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        server.close();
    }
}
