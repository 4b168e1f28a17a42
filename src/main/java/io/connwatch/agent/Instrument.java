package io.connwatch.agent;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Weaves calls to {@link ChannelHooks} into every copy of Netty named, loaded now (retransformed) or later:
 * <ul>
 *   <li>{@code created(this, parent)} at the end of the {@code AbstractChannel(Channel parent[, ChannelId])}
 *       constructors. Every channel runs one of them, whichever bootstrap, acceptor or connector makes it (Reactor
 *       Netty has its own acceptor and connector, so hooking {@code ServerBootstrap} or {@code Bootstrap} would miss
 *       Spring Cloud Gateway), with its pipeline built and its parent set.</li>
 *   <li>{@code reading(channel, first, msg)} first in {@code DefaultChannelPipeline.fireChannelRead}, and {@code
 *       readDone(channel, first)} on every way out of it (a finally): where each message read from a socket enters
 *       the pipeline.</li>
 *   <li>{@code writing(channel, first, msg)} first in the pipeline head's {@code write}: where each message leaves
 *       it.</li>
 * </ul>
 * The agent counts bytes at those two ends rather than in a handler of its own on the per-message path: a handler
 * there is one more hop for every read and every write, which cost a gateway about 2 % of its CPU (BENCHMARKS.md,
 * "side by side"). {@code first} is the pipeline's first handler ({@code
 * ChannelPipeline.first()}), where the agent puts its own: the hooks tell it directly, with no lookup per message.
 *
 * <p>A plain transformer on Byte Buddy's copy of ASM, not Byte Buddy's {@code AgentBuilder}: three methods of three
 * classes, matched by name, need no more, and the builder cost more than half a second of the application's start.
 * Only method bodies change, so a class already loaded can be woven and unwoven. The woven code names no Netty type
 * but the copy's own, and calls a hook that never throws. A class loader that cannot see connwatch's classes, and any
 * class the weaving fails on, is logged once and left as it was: the application runs on, those channels untracked.
 */
final class Instrument implements ClassFileTransformer {
    private static final Logger LOG = LoggerFactory.getLogger(Instrument.class);
    /**
     * A system property for the agent's tests: {@code transform} makes the weaving fail, {@code tap} makes the tap on
     * each copy of Netty fail. Either way the application must run on.
     */
    static final String TEST_FAILURE = "connwatch.agent.testFailure";
    /** {@code io.netty.}, assembled so that relocating connwatch's own Netty inside its jar leaves it alone. */
    static final String NETTY = String.join(".", "io", "netty") + ".";
    private static final String HOOKS = ChannelHooks.class.getName().replace('.', '/');
    private static final String ABSTRACT_CHANNEL = "channel/AbstractChannel";
    private static final String PIPELINE = "channel/DefaultChannelPipeline";
    private static final String HEAD = "channel/DefaultChannelPipeline$HeadContext";

    private final String monitorName;
    /** The internal name of each class to weave, to the internal prefix of its copy of Netty. */
    private final Map<String, String> targets = new ConcurrentHashMap<>();
    private final boolean failForTest;
    private final Set<String> logged = ConcurrentHashMap.newKeySet();
    /** The classes woven in each class loader, by internal name: a copy of Netty is tapped only if all three are. */
    private final Map<ClassLoader, Set<String>> woven = Collections.synchronizedMap(new WeakHashMap<>());

    /** A weaver for these copies of Netty; {@link #install} puts it to work. */
    Instrument(String monitorName, List<String> prefixes, boolean failForTest) {
        this.monitorName = monitorName;
        this.failForTest = failForTest;
        for (String p : prefixes) {
            String internal = p.replace('.', '/');
            for (String target : List.of(ABSTRACT_CHANNEL, PIPELINE, HEAD)) {
                targets.put(internal + target, internal);
            }
        }
    }

    /** The dotted prefixes to weave: {@code io.netty.} and each of {@code nettyPackages}. */
    static List<String> prefixes(List<String> nettyPackages) {
        List<String> all = new ArrayList<>();
        all.add(NETTY);
        for (String p : nettyPackages) {
            String prefix = p.endsWith(".") ? p : p + ".";
            if (!all.contains(prefix)) {
                all.add(prefix);
            }
        }
        return all;
    }

    /**
     * Weaves the classes named, those loaded already included, and returns what undoes it. Put the hooks on after
     * this returns: then the classes loaded already are all woven before any of them calls a hook.
     */
    Runnable install(Instrumentation instrumentation) {
        instrumentation.addTransformer(this, true);
        retransform(instrumentation, loadedTargets(instrumentation));
        return () -> {
            instrumentation.removeTransformer(this);
            retransform(instrumentation, loadedTargets(instrumentation));
        };
    }

    /**
     * Whether the copy of Netty this {@code AbstractChannel} belongs to has all three classes woven: a copy with its
     * channels' making woven but not their reads or writes would show every connection idle, so it goes untracked.
     * Asked once the copy has made a channel, by which time its three classes are loaded.
     */
    boolean wovenWhole(Class<?> abstractChannel) {
        String prefix = targets.get(abstractChannel.getName().replace('.', '/'));
        Set<String> names = woven.get(abstractChannel.getClassLoader());
        if (prefix == null || names == null) {
            return false;
        }
        synchronized (names) {
            return names.containsAll(List.of(prefix + ABSTRACT_CHANNEL, prefix + PIPELINE, prefix + HEAD));
        }
    }

    private List<Class<?>> loadedTargets(Instrumentation instrumentation) {
        List<Class<?>> loaded = new ArrayList<>();
        for (Class<?> c : instrumentation.getAllLoadedClasses()) {
            String name = c.getName().replace('.', '/');
            if (targets.containsKey(name) && instrumentation.isModifiableClass(c)) {
                loaded.add(c);
            }
        }
        return loaded;
    }

    private void retransform(Instrumentation instrumentation, List<Class<?>> classes) {
        for (Class<?> c : classes) {
            try {
                instrumentation.retransformClasses(c);
            } catch (Throwable e) { // the JVM refused the woven class: that copy goes untracked, the application on
                String internal = c.getName().replace('.', '/');
                Set<String> names = woven.get(c.getClassLoader());
                if (names != null) {
                    names.remove(internal);
                }
                failedOnce(c.getName(), targets.get(internal), c.getClassLoader(), e);
            }
        }
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> redefined, ProtectionDomain domain,
                            byte[] bytes) {
        String prefix = className == null ? null : targets.get(className);
        if (prefix == null) {
            return null;
        }
        try {
            if (failForTest) {
                throw new IllegalStateException("failure forced by the system property " + TEST_FAILURE);
            }
            if (!seesConnwatch(loader)) {
                return null;
            }
            byte[] wovenBytes = weave(bytes, className, prefix);
            woven.computeIfAbsent(loader, l -> Collections.synchronizedSet(new HashSet<>())).add(className);
            return wovenBytes;
        } catch (Throwable e) { // a transformer's exception would be dropped silently by the JVM: say it once
            failedOnce(className.replace('/', '.'), prefix, loader, e);
            return null;
        }
    }

    /** The class woven, for one of the three classes {@link #targets} names. */
    static byte[] weave(byte[] bytes, String className, String prefix) {
        String suffix = className.substring(prefix.length());
        switch (suffix) {
            case ABSTRACT_CHANNEL:
                return weaveConstructors(bytes, prefix);
            case PIPELINE:
                return weaveFireChannelRead(bytes, className, prefix);
            case HEAD:
                return weaveHeadWrite(bytes, className, prefix);
            default:
                throw new IllegalArgumentException("not a class to weave: " + className);
        }
    }

    /** {@code ChannelHooks.created(this, parent)} before every return of {@code AbstractChannel(Channel, ...)}. */
    static byte[] weaveConstructors(byte[] bytes, String prefix) {
        String parentFirst = "(L" + prefix + "channel/Channel;";
        String wanted = "constructor AbstractChannel(Channel, ...)";
        return weave(bytes, 0, wanted, (access, name, descriptor, mv) -> !name.equals("<init>")
                || !descriptor.startsWith(parentFirst) ? mv : new MethodVisitor(Opcodes.ASM9, mv) {
                    @Override
                    public void visitInsn(int opcode) {
                        if (opcode == Opcodes.RETURN) {
                            super.visitVarInsn(Opcodes.ALOAD, 0);
                            super.visitVarInsn(Opcodes.ALOAD, 1);
                            super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, "created",
                                    "(Ljava/lang/Object;Ljava/lang/Object;)V", false);
                        }
                        super.visitInsn(opcode);
                    }
                });
    }

    /**
     * In {@code DefaultChannelPipeline.fireChannelRead(Object msg)}: {@code ChannelHooks.reading(this.channel,
     * this.first(), msg)} first, then the method's own code in a try whose finally calls {@code
     * ChannelHooks.readDone(this.channel, this.first())}.
     * The finally is a handler for any throwable at the end of the method, listed after the method's own handlers so
     * they keep precedence; its frame holds only {@code this} and {@code msg}, which every copy of the method keeps.
     */
    static byte[] weaveFireChannelRead(byte[] bytes, String className, String prefix) {
        String returns = "(Ljava/lang/Object;)L" + prefix + "channel/ChannelPipeline;";
        String channel = "L" + prefix + "channel/Channel;";
        String first = "()L" + prefix + "channel/ChannelHandler;";
        return weave(bytes, ClassReader.EXPAND_FRAMES, "fireChannelRead(Object)", (access, name, descriptor, mv) ->
                !name.equals("fireChannelRead") || !descriptor.equals(returns)
                || (access & (Opcodes.ACC_BRIDGE | Opcodes.ACC_STATIC)) != 0 ? mv
                : new MethodVisitor(Opcodes.ASM9, mv) {
                    private final Label start = new Label();
                    private final Label end = new Label();
                    private final Label fin = new Label();

                    private void channelAndFirst() {
                        super.visitVarInsn(Opcodes.ALOAD, 0);
                        super.visitFieldInsn(Opcodes.GETFIELD, className, "channel", channel);
                        super.visitVarInsn(Opcodes.ALOAD, 0);
                        super.visitMethodInsn(Opcodes.INVOKEVIRTUAL, className, "first", first, false);
                    }

                    private void readDone() {
                        channelAndFirst();
                        super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, "readDone",
                                "(Ljava/lang/Object;Ljava/lang/Object;)V", false);
                    }

                    @Override
                    public void visitCode() {
                        super.visitCode();
                        channelAndFirst();
                        super.visitVarInsn(Opcodes.ALOAD, 1);
                        super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, "reading",
                                "(Ljava/lang/Object;Ljava/lang/Object;Ljava/lang/Object;)V", false);
                        super.visitLabel(start);
                    }

                    @Override
                    public void visitInsn(int opcode) {
                        if (opcode == Opcodes.ARETURN) {
                            readDone();
                        }
                        super.visitInsn(opcode);
                    }

                    @Override
                    public void visitMaxs(int maxStack, int maxLocals) {
                        super.visitLabel(end);
                        super.visitTryCatchBlock(start, end, fin, null);
                        super.visitLabel(fin);
                        super.visitFrame(Opcodes.F_NEW, 2, new Object[] {className, "java/lang/Object"}, 1,
                                new Object[] {"java/lang/Throwable"});
                        readDone();
                        super.visitInsn(Opcodes.ATHROW);
                        super.visitMaxs(maxStack, maxLocals);
                    }
                });
    }

    /**
     * {@code ChannelHooks.writing(this.channel(), this.pipeline().first(), msg)} first in {@code HeadContext.write(ctx,
     * msg, promise)}.
     */
    static byte[] weaveHeadWrite(byte[] bytes, String className, String prefix) {
        String write = "(L" + prefix + "channel/ChannelHandlerContext;Ljava/lang/Object;L" + prefix
                + "channel/ChannelPromise;)V";
        String wanted = "write(ChannelHandlerContext, Object, ChannelPromise)";
        return weave(bytes, 0, wanted, (access, name, descriptor, mv) -> !name.equals("write")
                || !descriptor.equals(write) || (access & Opcodes.ACC_BRIDGE) != 0 ? mv
                : new MethodVisitor(Opcodes.ASM9, mv) {
                    @Override
                    public void visitCode() {
                        super.visitCode();
                        super.visitVarInsn(Opcodes.ALOAD, 0);
                        super.visitMethodInsn(Opcodes.INVOKEVIRTUAL, className, "channel",
                                "()L" + prefix + "channel/Channel;", false);
                        super.visitVarInsn(Opcodes.ALOAD, 0);
                        super.visitMethodInsn(Opcodes.INVOKEVIRTUAL, className, "pipeline",
                                "()L" + prefix + "channel/ChannelPipeline;", false);
                        super.visitMethodInsn(Opcodes.INVOKEINTERFACE, prefix + "channel/ChannelPipeline", "first",
                                "()L" + prefix + "channel/ChannelHandler;", true);
                        super.visitVarInsn(Opcodes.ALOAD, 2);
                        super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, "writing",
                                "(Ljava/lang/Object;Ljava/lang/Object;Ljava/lang/Object;)V", false);
                    }
                });
    }

    /** Wraps the methods it chooses; the others, and the constant pool, are copied as they are. */
    private interface MethodWeaver {
        MethodVisitor wrap(int access, String name, String descriptor, MethodVisitor method);
    }

    /**
     * Frames are copied, not computed (computing them would load classes from inside a transformer): the woven code
     * adds instructions with the stack empty around them, and a frame of its own where it adds a handler. With
     * {@link ClassReader#EXPAND_FRAMES} the method's frames come uncompressed, as that added frame is.
     */
    private static byte[] weave(byte[] bytes, int readerFlags, String wanted, MethodWeaver weaver) {
        ClassReader reader = new ClassReader(bytes);
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        int[] found = {0};
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                MethodVisitor method = super.visitMethod(access, name, descriptor, signature, exceptions);
                MethodVisitor wrapped = weaver.wrap(access, name, descriptor, method);
                if (wrapped != method) {
                    found[0]++;
                }
                return wrapped;
            }
        }, readerFlags);
        if (found[0] == 0) { // another version of Netty: woven partly, its channels would be counted wrong
            throw new IllegalStateException(reader.getClassName() + " has no " + wanted);
        }
        return writer.toByteArray();
    }

    /** Woven code finds {@link ChannelHooks} through the loader's parents; a loader that cannot is left alone. */
    private boolean seesConnwatch(ClassLoader loader) {
        if (loader == null) {
            return false;
        }
        try {
            if (Class.forName(ChannelHooks.class.getName(), false, loader) == ChannelHooks.class) {
                return true;
            }
        } catch (ClassNotFoundException | LinkageError e) {
            // reported below
        }
        if (logged.add("loader@" + System.identityHashCode(loader))) {
            LOG.warn("[{}] the class loader {} does not see connwatch's classes: the Netty it loads goes untracked",
                    monitorName, loader);
        }
        return false;
    }

    // Once per copy of Netty: its three classes failing alike (a forced failure, an unknown version) is one finding.
    private void failedOnce(String typeName, String prefix, ClassLoader loader, Throwable e) {
        if (logged.add(prefix + "@" + System.identityHashCode(loader))) {
            LOG.warn("[{}] cannot instrument {} in {}: {}; the channels of Netty {}* there go untracked", monitorName,
                    typeName, loader, e.toString(), prefix.replace('/', '.'));
        }
    }
}
