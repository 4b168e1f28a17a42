package io.connwatch.netty;

import io.connwatch.tracking.Endpoint;
import io.netty.channel.Channel;
import io.netty.channel.socket.DuplexChannel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A live view of a Netty {@link Channel}: open and active, input and output shut down (through
 * {@link DuplexChannel}), and the pipeline's handlers as listener counts. Handlers Netty names itself
 * ({@code LeakyHandler#0}, {@code LeakyHandler#1}, ...) count under one name, so a handler added per message shows as
 * one growing count.
 */
public final class NettyEndpoint implements Endpoint {
    private final Channel channel;

    private NettyEndpoint(Channel channel) {
        this.channel = Objects.requireNonNull(channel, "channel");
    }

    /** A view of this channel. */
    public static NettyEndpoint of(Channel channel) {
        return new NettyEndpoint(channel);
    }

    /** The channel. */
    public Channel channel() {
        return channel;
    }

    /**
     * Closed and done with: Netty closes the socket first and tells the pipeline (and so the tracker) after, then
     * deregisters. Until then a closed channel is still being closed by its host, not a zombie.
     */
    @Override
    public boolean destroyed() {
        return !channel.isOpen() && !channel.isRegistered();
    }

    @Override
    public boolean readable() {
        return channel.isOpen() && !(channel instanceof DuplexChannel && ((DuplexChannel) channel).isInputShutdown());
    }

    @Override
    public boolean writable() {
        return channel.isOpen() && !(channel instanceof DuplexChannel && ((DuplexChannel) channel).isOutputShutdown());
    }

    @Override
    public boolean connecting() {
        // A socket channel stays active through half-closes; open and not active means not connected yet.
        return channel.isOpen() && !channel.isActive();
    }

    @Override
    public Map<String, Integer> listenerCounts() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String name : channel.pipeline().names()) {
            counts.merge(baseName(name), 1, Integer::sum);
        }
        return counts;
    }

    /** Called on every check: counts equal base names in the pipeline's name list without building a map. */
    @Override
    public int maxListenerCount() {
        List<String> names = channel.pipeline().names();
        int max = names.isEmpty() ? 0 : 1;
        for (int i = 0; i < names.size(); i++) {
            String a = names.get(i);
            int la = baseLength(a);
            int n = 1;
            for (int j = i + 1; j < names.size(); j++) {
                String b = names.get(j);
                if (baseLength(b) == la && a.regionMatches(0, b, 0, la)) {
                    n++;
                }
            }
            max = Math.max(max, n);
        }
        return max;
    }

    static String baseName(String name) {
        return name.substring(0, baseLength(name));
    }

    /** The length of a handler name without Netty's {@code #<n>} suffix. */
    private static int baseLength(String name) {
        int hash = name.lastIndexOf('#');
        if (hash <= 0 || hash == name.length() - 1) {
            return name.length();
        }
        for (int i = hash + 1; i < name.length(); i++) {
            if (!Character.isDigit(name.charAt(i))) {
                return name.length();
            }
        }
        return hash;
    }

    @Override
    public void close() {
        channel.close();
    }

    @Override
    public String toString() {
        return channel.toString();
    }
}
