package io.connwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connwatch.netty.ChannelTap;
import io.connwatch.netty.MessageTap;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The weaving on real copies of Netty, 4.2 (this build's) and 4.1 (older class files, without stack maps): each
 * copy's classes woven as the agent weaves them and defined in a class loader of their own, where the JVM verifies
 * them, then driven through an {@code EmbeddedChannel}, whose pipeline is the one every socket channel has. And what
 * makes a copy count as woven: all three of its classes, each with the method it should have.
 */
class InstrumentTest {
    private static final String PREFIX = Instrument.NETTY.replace('.', '/');

    static Stream<String> nettyVersions() {
        return Stream.of("4.2", "4.1");
    }

    @ParameterizedTest(name = "Netty {0}")
    @MethodSource("nettyVersions")
    void theWovenChannelTellsItsMakingEachReadWithItsEndAndEachWrite(String version) throws Exception {
        List<String> calls = new ArrayList<>();
        try (WovenCopy copy = new WovenCopy(version); Hooked ignored = new Hooked(recording(calls))) {
            Object channel = copy.embeddedChannel();
            assertEquals(List.of("created " + id(channel) + " null"), calls);
            calls.clear();

            copy.call(channel, "writeInbound", "a request");
            copy.call(channel, "writeOutbound", "an answer");

            assertEquals(List.of("reading " + id(channel) + " a request", "readDone " + id(channel),
                    "writing " + id(channel) + " an answer"), calls);
        }
    }

    @ParameterizedTest(name = "Netty {0}")
    @MethodSource("nettyVersions")
    void aMessageTapFirstInThePipelineIsToldDirectlyAndTheTapIsNot(String version) throws Exception {
        List<String> tapCalls = new ArrayList<>();
        List<String> handlerCalls = new ArrayList<>();
        try (WovenCopy copy = new WovenCopy(version); Hooked ignored = new Hooked(recording(tapCalls))) {
            Object channel = copy.embeddedChannel(copy.messageTapHandler(handlerCalls));
            tapCalls.clear();

            copy.call(channel, "writeInbound", "a request");
            copy.call(channel, "writeOutbound", "an answer");

            assertEquals(List.of("reading a request", "readDone", "writing an answer"), handlerCalls);
            assertEquals(List.of(), tapCalls);
            assertEquals("a request", copy.call(channel, "readInbound"), "the handler is on no message's path");
        }
    }

    @ParameterizedTest(name = "Netty {0}")
    @MethodSource("nettyVersions")
    void aReadThatThrowsOutOfThePipelineStillEnds(String version) throws Exception {
        List<String> calls = new ArrayList<>();
        try (WovenCopy copy = new WovenCopy(version); Hooked ignored = new Hooked(recording(calls))) {
            Object channel = copy.embeddedChannel();
            Object pipeline = copy.call(channel, "pipeline");
            calls.clear();

            // Netty catches what its handlers throw; a message whose leak-detection touch throws escapes it.
            InvocationTargetException thrown = assertThrows(InvocationTargetException.class,
                    () -> copy.call(pipeline, "fireChannelRead", copy.poisonedMessage()));

            assertEquals("touch", thrown.getCause().getMessage(), "the premise: the message threw");
            assertEquals(List.of("reading " + id(channel) + " a poisoned message", "readDone " + id(channel)),
                    calls);
        }
    }

    @ParameterizedTest(name = "Netty {0}")
    @MethodSource("nettyVersions")
    void aHookThatThrowsLeavesTheChannelWorking(String version) throws Exception {
        ChannelTap failing = new ChannelTap() {
            @Override
            public void created(Object channel, Object parent) {
                throw new IllegalStateException("created");
            }

            @Override
            public void reading(Object channel, Object msg) {
                throw new IllegalStateException("reading");
            }

            @Override
            public void readDone(Object channel) {
                throw new IllegalStateException("readDone");
            }

            @Override
            public void writing(Object channel, Object msg) {
                throw new IllegalStateException("writing");
            }
        };
        try (WovenCopy copy = new WovenCopy(version); Hooked ignored = new Hooked(failing)) {
            Object channel = copy.embeddedChannel();

            copy.call(channel, "writeInbound", "a request");
            copy.call(channel, "writeOutbound", "an answer");

            assertEquals("a request", copy.call(channel, "readInbound"));
            assertEquals("an answer", copy.call(channel, "readOutbound"));
        }
    }

    @ParameterizedTest(name = "Netty {0}")
    @MethodSource("nettyVersions")
    void withNoAgentRunningTheWovenChannelStillWorks(String version) throws Exception {
        try (WovenCopy copy = new WovenCopy(version)) {
            Object channel = copy.embeddedChannel();

            copy.call(channel, "writeInbound", "a request");
            copy.call(channel, "writeOutbound", "an answer");

            assertEquals("a request", copy.call(channel, "readInbound"));
            assertEquals("an answer", copy.call(channel, "readOutbound"));
        }
    }

    @Test
    void aClassWithoutTheMethodToWeaveIsRefusedNotWovenInPart() throws Exception {
        byte[] notAPipeline = classBytes(PREFIX + "channel/AbstractChannel");

        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> Instrument.weave(notAPipeline, PREFIX + "channel/DefaultChannelPipeline", PREFIX));

        assertEquals(PREFIX + "channel/AbstractChannel has no fireChannelRead(Object)", refused.getMessage());
    }

    @Test
    void aCopyIsWovenWholeOnlyOnceAllThreeClassesAre() throws Exception {
        Instrument weaver = new Instrument("whole", List.of(Instrument.NETTY), false);
        ClassLoader loader = InstrumentTest.class.getClassLoader();
        Class<?> abstractChannel = io.netty.channel.AbstractChannel.class;
        assertSame(loader, abstractChannel.getClassLoader(), "the premise: this build's Netty in this loader");
        List<String> three = List.of(PREFIX + "channel/AbstractChannel", PREFIX + "channel/DefaultChannelPipeline",
                PREFIX + "channel/DefaultChannelPipeline$HeadContext");

        for (String name : three) {
            assertFalse(weaver.wovenWhole(abstractChannel), "not before " + name);
            assertNotNull(weaver.transform(loader, name, null, null, classBytes(name)), name);
        }

        assertTrue(weaver.wovenWhole(abstractChannel));
        assertFalse(new Instrument("other", List.of("com.example.shaded."), false).wovenWhole(abstractChannel),
                "a copy not named is never woven");
    }

    // ---- plumbing ----

    private static byte[] classBytes(String internalName) throws IOException {
        try (InputStream in = InstrumentTest.class.getClassLoader().getResourceAsStream(internalName + ".class")) {
            assertNotNull(in, internalName);
            return in.readAllBytes();
        }
    }

    private static String id(Object channel) {
        return channel == null ? "null" : "channel@" + System.identityHashCode(channel);
    }

    private static ChannelTap recording(List<String> calls) {
        return new ChannelTap() {
            @Override
            public void created(Object channel, Object parent) {
                calls.add("created " + id(channel) + " " + id(parent));
            }

            @Override
            public void reading(Object channel, Object msg) {
                calls.add("reading " + id(channel) + " " + msg);
            }

            @Override
            public void readDone(Object channel) {
                calls.add("readDone " + id(channel));
            }

            @Override
            public void writing(Object channel, Object msg) {
                calls.add("writing " + id(channel) + " " + msg);
            }
        };
    }

    /** The hooks sent to one tap, as a running agent sends them to its taps. */
    private static final class Hooked implements AutoCloseable {
        private final ChannelHooks.Taps taps;

        Hooked(ChannelTap tap) {
            taps = new ChannelHooks.Taps("woven", c -> tap);
            ChannelHooks.install(taps);
        }

        @Override
        public void close() {
            ChannelHooks.uninstall(taps);
        }
    }

    /**
     * A copy of Netty in a class loader that loads {@code io.netty.*} itself, weaving the agent's three classes as it
     * defines them; connwatch's hooks come from its parent, as they come from the system class loader in an
     * application.
     */
    private static final class WovenCopy implements AutoCloseable {
        private final URLClassLoader loader;
        private final Set<String> woven = new LinkedHashSet<>();

        WovenCopy(String version) throws IOException {
            URL[] jars = version.equals("4.1") ? netty41() : thisBuilds();
            loader = new URLClassLoader("netty-" + version, jars, InstrumentTest.class.getClassLoader()) {
                @Override
                protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                    if (!name.startsWith(Instrument.NETTY)) {
                        return super.loadClass(name, resolve);
                    }
                    synchronized (getClassLoadingLock(name)) {
                        Class<?> c = findLoadedClass(name);
                        if (c == null) {
                            c = define(name);
                        }
                        if (resolve) {
                            resolveClass(c);
                        }
                        return c;
                    }
                }

                private Class<?> define(String name) throws ClassNotFoundException {
                    String internal = name.replace('.', '/');
                    try (InputStream in = getResourceAsStream(internal + ".class")) {
                        if (in == null) {
                            throw new ClassNotFoundException(name);
                        }
                        byte[] bytes = in.readAllBytes();
                        if (internal.equals(PREFIX + "channel/AbstractChannel")
                                || internal.equals(PREFIX + "channel/DefaultChannelPipeline")
                                || internal.equals(PREFIX + "channel/DefaultChannelPipeline$HeadContext")) {
                            bytes = Instrument.weave(bytes, internal, PREFIX);
                            woven.add(internal);
                        }
                        return defineClass(name, bytes, 0, bytes.length);
                    } catch (IOException e) {
                        throw new ClassNotFoundException(name, e);
                    }
                }
            };
        }

        private static URL[] netty41() throws IOException {
            Path dir = Path.of(System.getProperty("connwatch.netty41", "target/netty-4.1"));
            try (Stream<Path> jars = Files.list(dir)) {
                URL[] urls = jars.filter(p -> p.toString().endsWith(".jar")).map(p -> {
                    try {
                        return p.toUri().toURL();
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }).toArray(URL[]::new);
                assertEquals(4, urls.length, "netty-transport, -common, -buffer, -resolver 4.1 in " + dir);
                return urls;
            }
        }

        private static URL[] thisBuilds() {
            Set<URL> jars = new LinkedHashSet<>();
            for (Class<?> c : List.of(io.netty.channel.Channel.class, io.netty.buffer.ByteBuf.class,
                    io.netty.util.Attribute.class, io.netty.resolver.AddressResolver.class)) {
                jars.add(c.getProtectionDomain().getCodeSource().getLocation());
            }
            return jars.toArray(URL[]::new);
        }

        /** A new {@code EmbeddedChannel} of this copy with these handlers: its woven classes verified. */
        Object embeddedChannel(Object... handlers) throws Exception {
            Class<?> handler = loader.loadClass(Instrument.NETTY + "channel.ChannelHandler");
            Object array = Array.newInstance(handler, handlers.length);
            for (int i = 0; i < handlers.length; i++) {
                Array.set(array, i, handlers[i]);
            }
            Object channel = loader.loadClass(Instrument.NETTY + "channel.embedded.EmbeddedChannel")
                    .getConstructor(handler.arrayType()).newInstance(array);
            assertEquals(Set.of(PREFIX + "channel/AbstractChannel", PREFIX + "channel/DefaultChannelPipeline",
                    PREFIX + "channel/DefaultChannelPipeline$HeadContext"), woven, "the premise: all three woven");
            return channel;
        }

        /**
         * A handler of this copy that is a {@link MessageTap}, as the agent's are, recording what it is told; it
         * handles no event (it is neither inbound nor outbound), so Netty passes every message by it.
         */
        Object messageTapHandler(List<String> calls) throws ClassNotFoundException {
            Class<?> handler = loader.loadClass(Instrument.NETTY + "channel.ChannelHandler");
            return Proxy.newProxyInstance(loader, new Class<?>[] {handler, MessageTap.class}, (proxy, method, args) -> {
                switch (method.getName()) {
                    case "reading":
                    case "writing":
                        calls.add(method.getName() + " " + args[0]);
                        return null;
                    case "readDone":
                        calls.add("readDone");
                        return null;
                    case "toString":
                        return "a message tap";
                    case "hashCode":
                        return System.identityHashCode(proxy);
                    case "equals":
                        return proxy == args[0];
                    default:
                        return null;
                }
            });
        }

        /** A message of this copy that throws when Netty's leak detection touches it, as it enters the pipeline. */
        Object poisonedMessage() throws ClassNotFoundException {
            Class<?> counted = loader.loadClass(Instrument.NETTY + "util.ReferenceCounted");
            return Proxy.newProxyInstance(loader, new Class<?>[] {counted}, (proxy, method, args) -> {
                switch (method.getName()) {
                    case "toString":
                        return "a poisoned message";
                    case "touch":
                        throw new IllegalStateException("touch");
                    default:
                        return method.getReturnType() == boolean.class ? false
                                : method.getReturnType() == int.class ? 1 : proxy;
                }
            });
        }

        /** Calls a public method by name; a single argument is passed as one element of a varargs array. */
        Object call(Object target, String method, Object... args) throws Exception {
            for (java.lang.reflect.Method m : target.getClass().getMethods()) {
                if (!m.getName().equals(method) || m.getParameterCount() != args.length) {
                    continue;
                }
                if (m.isVarArgs()) {
                    Object array = Array.newInstance(m.getParameterTypes()[0].getComponentType(), args.length);
                    for (int i = 0; i < args.length; i++) {
                        Array.set(array, i, args[i]);
                    }
                    return m.invoke(target, array);
                }
                if (args.length == 0 || m.getParameterTypes()[0] == Object.class) {
                    return m.invoke(target, args);
                }
            }
            throw new NoSuchMethodException(target.getClass().getName() + "." + method);
        }

        @Override
        public void close() throws IOException {
            loader.close();
        }
    }
}
