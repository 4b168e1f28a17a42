package io.connwatch.tracking;

import java.io.IOException;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/** Endpoint adapters for the JDK's sockets. */
public final class Endpoints {
    private Endpoints() {
    }

    /** A view of a blocking {@link Socket}. */
    public static Endpoint of(Socket socket) {
        return new SocketEndpoint(socket, null);
    }

    /**
     * A view of a blocking {@link Socket} whose host keeps listeners of its own (callbacks, handlers), so that
     * {@code LISTENER_LEAK} can see them.
     */
    public static Endpoint of(Socket socket, Supplier<Map<String, Integer>> listeners) {
        return new SocketEndpoint(socket, Objects.requireNonNull(listeners, "listeners"));
    }

    /** A view of a {@link SocketChannel}, blocking or not. */
    public static Endpoint of(SocketChannel channel) {
        return new SocketChannelEndpoint(channel);
    }

    static final class SocketEndpoint implements Endpoint {
        private final Socket socket;
        private final Supplier<Map<String, Integer>> listeners;

        SocketEndpoint(Socket socket, Supplier<Map<String, Integer>> listeners) {
            this.socket = Objects.requireNonNull(socket, "socket");
            this.listeners = listeners;
        }

        @Override
        public boolean destroyed() {
            return socket.isClosed();
        }

        @Override
        public boolean readable() {
            return !socket.isClosed() && !socket.isInputShutdown();
        }

        @Override
        public boolean writable() {
            return !socket.isClosed() && !socket.isOutputShutdown();
        }

        @Override
        public boolean connecting() {
            return !socket.isConnected() && !socket.isClosed();
        }

        @Override
        public Map<String, Integer> listenerCounts() {
            return listeners == null ? Map.of() : listeners.get();
        }

        @Override
        public int maxListenerCount() {
            return listeners == null ? 0 : Endpoint.super.maxListenerCount();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }

        @Override
        public String toString() {
            return socket.toString();
        }
    }

    static final class SocketChannelEndpoint implements Endpoint {
        private final SocketChannel channel;

        SocketChannelEndpoint(SocketChannel channel) {
            this.channel = Objects.requireNonNull(channel, "channel");
        }

        @Override
        public boolean destroyed() {
            return !channel.isOpen();
        }

        @Override
        public boolean readable() {
            return channel.isOpen() && !channel.socket().isInputShutdown();
        }

        @Override
        public boolean writable() {
            return channel.isOpen() && !channel.socket().isOutputShutdown();
        }

        @Override
        public boolean connecting() {
            return channel.isOpen() && channel.isConnectionPending();
        }

        @Override
        public int maxListenerCount() {
            return 0;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }

        @Override
        public String toString() {
            return channel.toString();
        }
    }
}
