package io.connwatch.agent;

import static net.bytebuddy.matcher.ElementMatchers.isBridge;
import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import java.lang.instrument.Instrumentation;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.utility.JavaModule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Weaves {@link ChannelAdvice} into the {@code AbstractChannel} constructors of every copy of Netty named, loaded now
 * (retransformed, for {@code attach}) or later. Only method bodies change, so a class already loaded can be woven and
 * unwoven. A copy whose class loader cannot see connwatch's classes, and any class the weaving fails on, is logged
 * once and left as it was: the application runs on, those channels untracked.
 */
final class Instrument {
    private static final Logger LOG = LoggerFactory.getLogger(Instrument.class);
    /**
     * A system property for the agent's tests: {@code transform} makes the weaving fail, {@code tap} makes the tap on
     * each copy of Netty fail. Either way the application must run on.
     */
    static final String TEST_FAILURE = "connwatch.agent.testFailure";
    /** {@code io.netty.}, assembled so that relocating connwatch's own Netty inside its jar leaves it alone. */
    static final String NETTY = String.join(".", "io", "netty") + ".";
    private static final String ABSTRACT_CHANNEL = "channel.AbstractChannel";
    private static final String PIPELINE = "channel.DefaultChannelPipeline";

    private Instrument() {
    }

    /** The dotted prefixes to weave: {@code io.netty.} and each of {@code nettyPackages}. */
    static List<String> prefixes(List<String> nettyPackages) {
        List<String> all = new java.util.ArrayList<>();
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
     * @param attached whether the JVM was running before the agent came: then channels made before it are adopted
     *     when they next read, which weaves {@code DefaultChannelPipeline.fireChannelRead} too
     */
    static ResettableClassFileTransformer install(Instrumentation instrumentation, String monitorName,
                                                  List<String> prefixes, boolean attached, boolean failForTest) {
        Set<String> logged = ConcurrentHashMap.newKeySet();
        String[] types = prefixes.stream().map(p -> p + ABSTRACT_CHANNEL).toArray(String[]::new);
        String[] pipelines = attached ? prefixes.stream().map(p -> p + PIPELINE).toArray(String[]::new)
                : new String[0];
        return new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(new AgentBuilder.Listener.Adapter() {
                    @Override
                    public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded,
                                        Throwable throwable) {
                        if (logged.add(typeName + "@" + System.identityHashCode(loader))) {
                            LOG.warn("[{}] cannot instrument {} in {}: {}; its channels go untracked", monitorName,
                                    typeName, loader, throwable.toString());
                        }
                    }
                })
                .type(namedOneOf(types), loader -> seesConnwatch(loader, monitorName, logged))
                .transform((DynamicType.Builder<?> builder, TypeDescription type, ClassLoader loader,
                            JavaModule module, java.security.ProtectionDomain domain) -> {
                    if (failForTest) {
                        throw new IllegalStateException("failure forced by the system property " + TEST_FAILURE);
                    }
                    String prefix = NettyTaps.nettyPrefix(type.getName(), ABSTRACT_CHANNEL);
                    return builder.visit(Advice.to(ChannelAdvice.class)
                            .on(isConstructor().and(takesArgument(0, named(prefix + "channel.Channel")))));
                })
                .type(namedOneOf(pipelines), loader -> seesConnwatch(loader, monitorName, logged))
                .transform((DynamicType.Builder<?> builder, TypeDescription type, ClassLoader loader,
                            JavaModule module, java.security.ProtectionDomain domain) -> builder.visit(
                        Advice.to(ChannelAdvice.Speaking.class)
                                .on(named("fireChannelRead").and(takesArguments(1)).and(not(isBridge())))))
                .installOn(instrumentation);
    }

    /** Woven code finds {@link ChannelHooks} through the loader's parents; a loader that cannot is left alone. */
    private static boolean seesConnwatch(ClassLoader loader, String monitorName, Set<String> logged) {
        if (loader == null) {
            return false;
        }
        try {
            return Class.forName(ChannelHooks.class.getName(), false, loader) == ChannelHooks.class;
        } catch (ClassNotFoundException | LinkageError e) {
            if (logged.add("loader@" + System.identityHashCode(loader))) {
                LOG.warn("[{}] the class loader {} does not see connwatch's classes: the Netty it loads goes"
                        + " untracked", monitorName, loader);
            }
            return false;
        }
    }
}
