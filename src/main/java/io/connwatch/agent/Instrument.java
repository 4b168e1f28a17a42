package io.connwatch.agent;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Weaves a call to {@link ChannelHooks#created} at the end of the {@code AbstractChannel(Channel parent[, ChannelId])}
 * constructors of every copy of Netty named, loaded now (retransformed) or later. Every channel runs one of them,
 * whichever bootstrap, acceptor or connector makes it (Reactor Netty has its own acceptor and connector, so hooking
 * {@code ServerBootstrap} or {@code Bootstrap} would miss Spring Cloud Gateway), with its pipeline built and its
 * parent set. After an attach, a call to {@link ChannelHooks#speaking} is also woven at the start of
 * {@code DefaultChannelPipeline.fireChannelRead}, to adopt channels made before the agent.
 *
 * <p>A plain transformer on Byte Buddy's copy of ASM, not Byte Buddy's {@code AgentBuilder}: two methods of two
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

    private final String monitorName;
    /** Internal name of each copy's {@code AbstractChannel}, and of its {@code DefaultChannelPipeline} after an attach, to the copy's internal prefix. */
    private final Map<String, String> abstractChannels = new ConcurrentHashMap<>();
    private final Map<String, String> pipelines = new ConcurrentHashMap<>();
    private final boolean failForTest;
    private final Set<String> logged = ConcurrentHashMap.newKeySet();

    private Instrument(String monitorName, List<String> prefixes, boolean attached, boolean failForTest) {
        this.monitorName = monitorName;
        this.failForTest = failForTest;
        for (String p : prefixes) {
            String internal = p.replace('.', '/');
            abstractChannels.put(internal + "channel/AbstractChannel", internal);
            if (attached) {
                pipelines.put(internal + "channel/DefaultChannelPipeline", internal);
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
     * Weaves the classes named, those loaded already included, and returns what undoes it.
     *
     * @param attached whether the JVM was running before the agent came: then channels made before it are adopted
     *     when they next read
     */
    static Runnable install(Instrumentation instrumentation, String monitorName, List<String> prefixes,
                            boolean attached, boolean failForTest) {
        Instrument weaver = new Instrument(monitorName, prefixes, attached, failForTest);
        instrumentation.addTransformer(weaver, true);
        List<Class<?>> loaded = weaver.loadedTargets(instrumentation);
        weaver.retransform(instrumentation, loaded);
        return () -> {
            instrumentation.removeTransformer(weaver);
            weaver.retransform(instrumentation, weaver.loadedTargets(instrumentation));
        };
    }

    private List<Class<?>> loadedTargets(Instrumentation instrumentation) {
        List<Class<?>> targets = new ArrayList<>();
        for (Class<?> c : instrumentation.getAllLoadedClasses()) {
            String name = c.getName().replace('.', '/');
            if ((abstractChannels.containsKey(name) || pipelines.containsKey(name))
                    && instrumentation.isModifiableClass(c)) {
                targets.add(c);
            }
        }
        return targets;
    }

    private void retransform(Instrumentation instrumentation, List<Class<?>> classes) {
        for (Class<?> c : classes) {
            try {
                instrumentation.retransformClasses(c);
            } catch (Throwable e) { // that copy goes untracked, the application goes on
                failedOnce(c.getName(), c.getClassLoader(), e);
            }
        }
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> redefined, ProtectionDomain domain,
                            byte[] bytes) {
        String channelPrefix = className == null ? null : abstractChannels.get(className);
        String pipelinePrefix = className == null ? null : pipelines.get(className);
        if (channelPrefix == null && pipelinePrefix == null) {
            return null;
        }
        try {
            if (failForTest) {
                throw new IllegalStateException("failure forced by the system property " + TEST_FAILURE);
            }
            if (!seesConnwatch(loader)) {
                return null;
            }
            return channelPrefix != null ? weaveConstructors(bytes, channelPrefix)
                    : weaveFireChannelRead(bytes, className, pipelinePrefix);
        } catch (Throwable e) { // a transformer's exception would be dropped silently by the JVM: say it once
            failedOnce(className.replace('/', '.'), loader, e);
            return null;
        }
    }

    /** {@code ChannelHooks.created(this, parent)} before every return of {@code AbstractChannel(Channel, ...)}. */
    static byte[] weaveConstructors(byte[] bytes, String prefix) {
        String parentFirst = "(L" + prefix + "channel/Channel;";
        return weave(bytes, (access, name, descriptor, mv) -> !name.equals("<init>")
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

    /** {@code ChannelHooks.speaking(this.channel)} first in {@code DefaultChannelPipeline.fireChannelRead}. */
    static byte[] weaveFireChannelRead(byte[] bytes, String className, String prefix) {
        String returns = "(Ljava/lang/Object;)L" + prefix + "channel/ChannelPipeline;";
        return weave(bytes, (access, name, descriptor, mv) -> !name.equals("fireChannelRead")
                || !descriptor.equals(returns) || (access & Opcodes.ACC_BRIDGE) != 0 ? mv
                : new MethodVisitor(Opcodes.ASM9, mv) {
                    @Override
                    public void visitCode() {
                        super.visitCode();
                        super.visitVarInsn(Opcodes.ALOAD, 0);
                        super.visitFieldInsn(Opcodes.GETFIELD, className, "channel",
                                "L" + prefix + "channel/Channel;");
                        super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, "speaking", "(Ljava/lang/Object;)V",
                                false);
                    }
                });
    }

    /** Wraps the methods it chooses; the others, and the constant pool, are copied as they are. */
    private interface MethodWeaver {
        MethodVisitor wrap(int access, String name, String descriptor, MethodVisitor method);
    }

    private static byte[] weave(byte[] bytes, MethodWeaver weaver) {
        ClassReader reader = new ClassReader(bytes);
        // Only instructions are added, with the stack empty around them: the frames stay valid, the stack grows.
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                return weaver.wrap(access, name, descriptor,
                        super.visitMethod(access, name, descriptor, signature, exceptions));
            }
        }, 0);
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

    private void failedOnce(String typeName, ClassLoader loader, Throwable e) {
        if (logged.add(typeName + "@" + System.identityHashCode(loader))) {
            LOG.warn("[{}] cannot instrument {} in {}: {}; its channels go untracked", monitorName, typeName, loader,
                    e.toString());
        }
    }
}
