package io.connwatch.agent;

import io.connwatch.netty.ChannelTap;
import io.connwatch.tracking.ConnectionTracker;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.commons.ClassRemapper;
import net.bytebuddy.jar.asm.commons.Remapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the tap for each copy of Netty the application loads, the way the OpenTelemetry agent injects its helpers:
 * the tap's classes (the agent's handlers in {@code io.connwatch.netty}, compiled against connwatch's own Netty) are
 * read from the agent jar, renamed into that copy's {@code channel} package with their Netty references pointed at
 * that copy, and defined in its class loader through a private lookup on its {@code AbstractChannel}. So they work
 * whatever the copy's package (Netty relocated inside connwatch.jar, the application's {@code io.netty}, or a shaded
 * copy named by {@code nettyPackages}) and whatever loader holds it (a Spring Boot fat jar's included), provided that
 * loader also sees connwatch's own classes through its parents. A copy that cannot be tapped is logged once and left
 * alone.
 */
final class NettyTaps implements Function<Class<?>, ChannelTap> {
    private static final Logger LOG = LoggerFactory.getLogger(NettyTaps.class);
    /** The internal-name prefix of the Netty this jar was compiled against, relocated or not. */
    static final String OUR_NETTY = nettyPrefix(io.netty.channel.Channel.class.getName(), "channel.Channel")
            .replace('.', '/');
    private static final String GLUE_PACKAGE = ChannelTap.class.getPackageName().replace('.', '/') + "/";
    /** The classes defined next to each copy of Netty, superclasses first. Checked by a test to be complete. */
    static final List<String> GLUE = List.of("CloseReasons", "NettyEndpoint", "TrackingHandler",
            "TrackingHandler$CloseHint", "ConnectionPools", "AgentHandler", "AgentIncomingHandler",
            "AgentBackendHandler", "AgentUpstreamHandler", "AgentChannelTap");
    private static final String TAP = "AgentChannelTap";

    private final String monitorName;
    private final ConnectionTracker incoming;
    private final ConnectionTracker upstream;
    private final List<String> prefixes;
    private final boolean adopt;
    private final Predicate<Class<?>> wovenWhole;
    private final boolean failForTest;
    private final ClassValue<Copy> byAbstractChannel = new ClassValue<>() {
        @Override
        protected Copy computeValue(Class<?> abstractChannel) {
            return copyOf(abstractChannel);
        }
    };

    /**
     * @param prefixes the dotted package prefixes of the copies of Netty to tap ({@code io.netty.} and each of
     *     {@code nettyPackages}, each ending with a dot)
     * @param adopt whether the JVM ran before the agent: then a socket channel made before it is tracked from the
     *     moment it reads
     * @param wovenWhole whether the copy of this {@code AbstractChannel} is woven whole; one that is not goes
     *     untracked (the weaving said why)
     */
    NettyTaps(String monitorName, ConnectionTracker incoming, ConnectionTracker upstream, List<String> prefixes,
              boolean adopt, Predicate<Class<?>> wovenWhole, boolean failForTest) {
        this.monitorName = monitorName;
        this.incoming = incoming;
        this.upstream = upstream;
        this.prefixes = List.copyOf(prefixes);
        this.adopt = adopt;
        this.wovenWhole = wovenWhole;
        this.failForTest = failForTest;
    }

    /**
     * The tap for channels of this class: its copy of Netty's for a socket channel, else {@link ChannelTap#NONE}.
     * Asked once per class, so the woven code's calls for other channels (an HTTP/2 stream's, a local one's) end
     * there, before any test on the channel.
     */
    @Override
    public ChannelTap apply(Class<?> channelClass) {
        for (Class<?> c = channelClass; c != null; c = c.getSuperclass()) {
            for (String prefix : prefixes) {
                if (c.getName().equals(prefix + "channel.AbstractChannel")) {
                    Copy copy = byAbstractChannel.get(c);
                    return copy.socketChannel != null && copy.socketChannel.isAssignableFrom(channelClass)
                            ? copy.tap : ChannelTap.NONE;
                }
            }
        }
        return ChannelTap.NONE;
    }

    /** A copy of Netty: its tap, and its {@code SocketChannel} (null when it could not be tapped). */
    private static final class Copy {
        static final Copy UNTAPPED = new Copy(ChannelTap.NONE, null);

        final ChannelTap tap;
        final Class<?> socketChannel;

        Copy(ChannelTap tap, Class<?> socketChannel) {
            this.tap = tap;
            this.socketChannel = socketChannel;
        }
    }

    // One copy at a time: two event loops meeting their first channel at once must not define the classes twice.
    private synchronized Copy copyOf(Class<?> abstractChannel) {
        if (!wovenWhole.test(abstractChannel)) {
            return Copy.UNTAPPED;
        }
        String prefix = nettyPrefix(abstractChannel.getName(), "channel.AbstractChannel");
        try {
            if (failForTest) {
                throw new IllegalStateException("failure forced by the system property " + Instrument.TEST_FAILURE);
            }
            Class<?> socketChannel = Class.forName(prefix + "channel.socket.SocketChannel", false,
                    abstractChannel.getClassLoader());
            ChannelTap tap = define(abstractChannel, prefix.replace('.', '/'));
            LOG.info("[{}] tracking the socket channels of Netty {} in {}", monitorName, prefix + "*",
                    abstractChannel.getClassLoader());
            return new Copy(tap, socketChannel);
        } catch (Throwable e) { // LinkageError, IllegalAccessException: this copy goes untracked, the others do not
            LOG.warn("[{}] cannot track the channels of Netty {} in {}: {}; they go untracked", monitorName,
                    prefix + "*", abstractChannel.getClassLoader(), e.toString());
            return Copy.UNTAPPED;
        }
    }

    private ChannelTap define(Class<?> abstractChannel, String target) throws Throwable {
        MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(abstractChannel, MethodHandles.lookup());
        Class<?> tap = defineGlue(lookup, target);
        return (ChannelTap) lookup.findConstructor(tap,
                MethodType.methodType(void.class, ConnectionTracker.class, ConnectionTracker.class, boolean.class))
                .invoke(incoming, upstream, adopt);
    }

    private static Class<?> defineGlue(MethodHandles.Lookup lookup, String target) throws IllegalAccessException {
        Set<String> glue = Set.copyOf(GLUE);
        Remapper remapper = new Remapper() {
            @Override
            public String map(String internalName) {
                if (internalName.startsWith(OUR_NETTY)) {
                    return target + internalName.substring(OUR_NETTY.length());
                }
                if (internalName.startsWith(GLUE_PACKAGE) && glue.contains(internalName.substring(GLUE_PACKAGE.length()))) {
                    return injectedName(target, internalName.substring(GLUE_PACKAGE.length()));
                }
                return internalName;
            }
        };
        Class<?> tap = null;
        for (String name : GLUE) {
            Class<?> defined = definedBefore(lookup.lookupClass().getClassLoader(), injectedName(target, name));
            if (defined == null) {
                defined = lookup.defineClass(remap(read(GLUE_PACKAGE + name + ".class"), remapper));
            }
            if (name.equals(TAP)) {
                tap = defined;
            }
        }
        return tap;
    }

    /**
     * The glue class an agent started earlier in this JVM (stopped since, or under another name) defined next to this
     * copy, or null: a class loader defines a name once, and each tap gets its own trackers, so the glue is reused.
     */
    private static Class<?> definedBefore(ClassLoader loader, String internalName) {
        try {
            Class<?> c = Class.forName(internalName.replace('/', '.'), false, loader);
            return c.getClassLoader() == loader ? c : null;
        } catch (ClassNotFoundException e) {
            return null;
        }
    }

    /** {@code <prefix>channel/Connwatch<Name>}: next to the copy's {@code AbstractChannel}, named so none clash. */
    static String injectedName(String targetPrefix, String glueName) {
        return targetPrefix + "channel/Connwatch" + glueName;
    }

    private static byte[] remap(byte[] bytes, Remapper remapper) {
        ClassReader reader = new ClassReader(bytes);
        ClassWriter writer = new ClassWriter(0);
        reader.accept(new ClassRemapper(writer, remapper), 0);
        return writer.toByteArray();
    }

    private static byte[] read(String resource) {
        try (InputStream in = NettyTaps.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the agent jar has no " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code a.b.io.netty.} from {@code a.b.io.netty.channel.Channel} and {@code channel.Channel}. */
    static String nettyPrefix(String className, String suffix) {
        return className.substring(0, className.length() - suffix.length());
    }
}
