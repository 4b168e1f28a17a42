package io.connwatch.agent;

import static io.connwatch.testing.TestTimes.ms;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connwatch.netty.ChannelTap;
import io.connwatch.tracking.ConnectionRole;
import io.connwatch.tracking.ConnectionTracker;
import io.connwatch.tracking.TerminationReason;
import io.connwatch.tracking.TrackedConnection;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.commons.ClassRemapper;
import net.bytebuddy.jar.asm.commons.Remapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The glue the agent defines next to each copy of Netty: the list of its classes is complete and in an order the JVM
 * can define them in, and it really makes a working tap inside another copy of Netty, in a class loader of its own,
 * the way the agent meets the application's Netty.
 */
class NettyTapsTest {
    private static final String GLUE_PACKAGE = "io/connwatch/netty/";
    private static final Duration WAIT = ms(10_000);

    private final ConnectionTracker incoming = new ConnectionTracker("taps");
    private final ConnectionTracker upstream = new ConnectionTracker("taps-upstream");
    private OtherNetty copy;

    @BeforeEach
    void loadAnotherCopyOfNetty() throws Exception {
        copy = new OtherNetty();
    }

    @AfterEach
    void closeIt() throws IOException {
        copy.close();
    }

    // ---- the list of glue classes ----

    @Test
    void everyClassTheGlueUsesFromItsPackageIsGlueItself() throws Exception {
        Set<String> glue = Set.copyOf(NettyTaps.GLUE);
        for (String name : NettyTaps.GLUE) {
            for (String used : referencedTypes(name)) {
                if (used.startsWith(GLUE_PACKAGE) && used.indexOf('/', GLUE_PACKAGE.length()) < 0) {
                    String simple = used.substring(GLUE_PACKAGE.length());
                    assertTrue(glue.contains(simple) || simple.equals("ChannelTap") || simple.equals("MessageTap"),
                            name + " uses " + simple + ", which NettyTaps.GLUE does not define next to Netty");
                }
            }
        }
    }

    @Test
    void everyNestedClassOfTheGlueIsGlue() throws Exception {
        Set<String> glue = Set.copyOf(NettyTaps.GLUE);
        for (String name : NettyTaps.GLUE) {
            Class<?> c = Class.forName("io.connwatch.netty." + name);
            // Nest members include anonymous and local classes, which getDeclaredClasses() leaves out.
            for (Class<?> member : c.getNestMembers()) {
                String simple = member.getName().substring("io.connwatch.netty.".length());
                assertTrue(glue.contains(simple), name + " has " + simple + ", missing from NettyTaps.GLUE");
            }
        }
    }

    @Test
    void superclassesAndInterfacesComeBeforeTheirSubclasses() throws Exception {
        List<String> order = NettyTaps.GLUE;
        assertEquals(Set.copyOf(order).size(), order.size(), "each glue class once: " + order);
        for (int i = 0; i < order.size(); i++) {
            ClassReader r = new ClassReader(classBytes(order.get(i)));
            List<String> supers = new ArrayList<>(List.of(r.getInterfaces()));
            supers.add(r.getSuperName());
            for (String s : supers) {
                if (s.startsWith(GLUE_PACKAGE)) {
                    int at = order.indexOf(s.substring(GLUE_PACKAGE.length()));
                    assertTrue(at < i, order.get(i) + " extends " + s + ", which must be defined before it: " + order);
                }
            }
        }
    }

    // ---- defining it in another copy of Netty ----

    @Test
    void itDefinesAWorkingTapInsideAnotherCopyOfNetty() throws Exception {
        Class<?> theirChannel = copy.load("io.netty.channel.socket.nio.NioSocketChannel");
        assertNotSame(io.netty.channel.socket.nio.NioSocketChannel.class, theirChannel, "the premise: another copy");

        ChannelTap tap = taps(false).apply(theirChannel);

        assertEquals("io.netty.channel.ConnwatchAgentChannelTap", tap.getClass().getName());
        assertEquals("io.netty.channel", tap.getClass().getPackageName());
        assertSame(copy.loader, tap.getClass().getClassLoader(), "defined beside that copy's AbstractChannel");

        Object channel = theirChannel.getConstructor().newInstance();
        try {
            tap.created(channel, null);
            Object handler = copy.call(copy.call(channel, "io.netty.channel.Channel", "pipeline"),
                    "io.netty.channel.ChannelPipeline", "get", String.class, "connwatch.agent");
            assertNotNull(handler, "the tap put its handler first in that copy's pipeline");
            assertEquals("io.netty.channel.ConnwatchAgentUpstreamHandler", handler.getClass().getName());
            assertSame(copy.loader, handler.getClass().getClassLoader());
        } finally {
            copy.call(copy.call(channel, "io.netty.channel.Channel", "unsafe"), "io.netty.channel.Channel$Unsafe",
                    "closeForcibly");
        }
    }

    @Test
    void aChannelOfThatCopyConnectingIsTrackedThroughTheTap() throws Exception {
        ChannelTap tap = taps(false).apply(copy.load("io.netty.channel.socket.nio.NioSocketChannel"));
        try (ServerSocket backend = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Object group = copy.newNioGroup();
            try {
                Object channel = copy.load("io.netty.channel.socket.nio.NioSocketChannel").getConstructor()
                        .newInstance();
                tap.created(channel, null); // where the woven constructor calls it: before registration
                copy.sync(copy.call(group, "io.netty.channel.EventLoopGroup", "register",
                        copy.load("io.netty.channel.Channel"), channel));
                InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(),
                        backend.getLocalPort());
                copy.sync(copy.call(channel, "io.netty.channel.ChannelOutboundInvoker", "connect",
                        SocketAddress.class, address));

                assertEquals(1, upstream.activeConnections());
                TrackedConnection c = upstream.iterator().next();
                assertEquals(ConnectionRole.UPSTREAM, c.role());
                assertEquals(address.getHostString() + ":" + backend.getLocalPort(), c.target().toString());
                assertEquals(0, incoming.totalOpened());

                copy.sync(copy.call(channel, "io.netty.channel.ChannelOutboundInvoker", "close"));
                await().atMost(WAIT).until(c::connectionClosed);
                assertEquals(TerminationReason.NORMAL, c.terminationReason());
            } finally {
                copy.shutdown(group);
            }
        }
    }

    @Test
    void aSecondAgentOverTheSameCopyGetsAWorkingTapToo() throws Exception {
        Class<?> theirChannel = copy.load("io.netty.channel.socket.nio.NioSocketChannel");
        ChannelTap first = taps(false).apply(theirChannel);
        ConnectionTracker otherUpstream = new ConnectionTracker("second-upstream");
        // An agent started again in the same JVM (a new name, or the same one after a stop) meets its glue there.
        ChannelTap second = new NettyTaps("second", new ConnectionTracker("second"), otherUpstream,
                List.of("io.netty."), false, c -> true, false).apply(theirChannel);

        assertNotSame(ChannelTap.NONE, second);
        assertNotSame(first, second);
        assertSame(first.getClass(), second.getClass());
        Object channel = theirChannel.getConstructor().newInstance();
        try {
            second.created(channel, null);
            assertNotNull(copy.call(copy.call(channel, "io.netty.channel.Channel", "pipeline"),
                    "io.netty.channel.ChannelPipeline", "get", String.class, "connwatch.agent"));
        } finally {
            copy.call(copy.call(channel, "io.netty.channel.Channel", "unsafe"), "io.netty.channel.Channel$Unsafe",
                    "closeForcibly");
        }
    }

    @Test
    void aTapThatCannotBeMadeIsNoneAndNothingThrows() throws Exception {
        Class<?> theirChannel = copy.load("io.netty.channel.socket.nio.NioSocketChannel");

        ChannelTap tap = taps(true).apply(theirChannel);

        assertSame(ChannelTap.NONE, tap);
        assertThrows(ClassNotFoundException.class,
                () -> Class.forName("io.netty.channel.ConnwatchAgentChannelTap", false, copy.loader),
                "nothing defined in that copy");
        Object channel = theirChannel.getConstructor().newInstance();
        try {
            tap.created(channel, null);
            assertNull(copy.call(copy.call(channel, "io.netty.channel.Channel", "pipeline"),
                    "io.netty.channel.ChannelPipeline", "get", String.class, "connwatch.agent"),
                    "the channel left as it was");
        } finally {
            copy.call(copy.call(channel, "io.netty.channel.Channel", "unsafe"), "io.netty.channel.Channel$Unsafe",
                    "closeForcibly");
        }
    }

    @Test
    void classesOfNoCopyItWasToldOfAreLeftAlone() throws Exception {
        Class<?> theirChannel = copy.load("io.netty.channel.socket.nio.NioSocketChannel");
        assertSame(ChannelTap.NONE, new NettyTaps("t", incoming, upstream, List.of("com.example.shaded.netty."),
                false, c -> true, false).apply(theirChannel));
        assertSame(ChannelTap.NONE, taps(false).apply(String.class));
        assertThrows(ClassNotFoundException.class,
                () -> Class.forName("io.netty.channel.ConnwatchAgentChannelTap", false, copy.loader));
    }

    // ---- plumbing ----

    private NettyTaps taps(boolean failForTest) {
        return new NettyTaps("taps", incoming, upstream, List.of("io.netty."), false, c -> true, failForTest);
    }

    private static byte[] classBytes(String glueName) throws IOException {
        try (InputStream in = NettyTapsTest.class.getClassLoader()
                .getResourceAsStream(GLUE_PACKAGE + glueName + ".class")) {
            assertNotNull(in, "no class file for " + glueName);
            return in.readAllBytes();
        }
    }

    /** Every type the class file names: super types, fields, signatures, calls, constants, nest and inner classes. */
    private static Set<String> referencedTypes(String glueName) throws IOException {
        Set<String> types = new TreeSet<>();
        Remapper collecting = new Remapper(Opcodes.ASM9) {
            @Override
            public String map(String internalName) {
                types.add(internalName);
                return internalName;
            }
        };
        ClassVisitor sink = new ClassRemapper(new ClassWriter(0), collecting);
        new ClassReader(classBytes(glueName)).accept(sink, 0);
        types.remove(GLUE_PACKAGE + glueName);
        return types;
    }

    /**
     * Netty's jars, from this test's class path, in a class loader that loads {@code io.netty.*} itself and never
     * asks its parent for it, as a Spring Boot fat jar's or an application server's loader does; the rest (connwatch,
     * SLF4J) comes from the loader that holds connwatch, the system class loader when the agent runs.
     */
    private static final class OtherNetty implements AutoCloseable {
        final URLClassLoader loader;

        OtherNetty() throws Exception {
            Set<URL> jars = new LinkedHashSet<>();
            for (Class<?> c : List.of(io.netty.channel.Channel.class, io.netty.buffer.ByteBuf.class,
                    io.netty.util.Attribute.class, io.netty.resolver.AddressResolver.class,
                    io.netty.handler.timeout.ReadTimeoutException.class,
                    io.netty.handler.codec.ByteToMessageDecoder.class)) {
                jars.add(c.getProtectionDomain().getCodeSource().getLocation());
            }
            loader = new URLClassLoader("other-netty", jars.toArray(URL[]::new),
                    NettyTapsTest.class.getClassLoader()) {
                @Override
                protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                    if (!name.startsWith("io.netty.")) {
                        return super.loadClass(name, resolve);
                    }
                    synchronized (getClassLoadingLock(name)) {
                        Class<?> c = findLoadedClass(name);
                        if (c == null) {
                            c = findClass(name);
                        }
                        if (resolve) {
                            resolveClass(c);
                        }
                        return c;
                    }
                }
            };
        }

        Class<?> load(String name) throws ClassNotFoundException {
            Class<?> c = Class.forName(name, false, loader);
            assertSame(loader, c.getClassLoader(), name + " from the other copy");
            return c;
        }

        /** Calls a public method of that copy's {@code type} on {@code target}: args alternate types and values. */
        Object call(Object target, String type, String method, Object... typesAndArgs) throws Exception {
            Class<?>[] types = new Class<?>[typesAndArgs.length / 2];
            Object[] args = new Object[types.length];
            for (int i = 0; i < types.length; i++) {
                types[i] = (Class<?>) typesAndArgs[2 * i];
                args[i] = typesAndArgs[2 * i + 1];
            }
            Method m = load(type).getMethod(method, types);
            return m.invoke(target, args);
        }

        /** A one-thread NIO event loop group of that copy. */
        Object newNioGroup() throws Exception {
            Class<?> factoryType = load("io.netty.channel.IoHandlerFactory");
            Object factory = load("io.netty.channel.nio.NioIoHandler").getMethod("newFactory").invoke(null);
            return load("io.netty.channel.MultiThreadIoEventLoopGroup").getConstructor(int.class, factoryType)
                    .newInstance(1, factory);
        }

        /** Waits for that copy's future and fails with its cause. */
        void sync(Object future) throws Exception {
            Object done = call(future, "io.netty.util.concurrent.Future", "await");
            assertNotNull(done);
            Object cause = call(future, "io.netty.util.concurrent.Future", "cause");
            assertEquals(null, cause, "the other copy's operation failed");
        }

        void shutdown(Object group) throws Exception {
            Object f = call(group, "io.netty.util.concurrent.EventExecutorGroup", "shutdownGracefully",
                    long.class, 0L, long.class, 1L, TimeUnit.class, TimeUnit.SECONDS);
            call(f, "io.netty.util.concurrent.Future", "awaitUninterruptibly");
        }

        @Override
        public void close() throws IOException {
            loader.close();
        }
    }
}
