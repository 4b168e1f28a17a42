package io.connwatch.agent;

import com.sun.tools.attach.VirtualMachine;
import io.connwatch.netty.ChannelTap;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * This test JVM's own Netty woven as the agent weaves it, its hooks going to a tap the test chooses: for tests of the
 * agent's handlers on real channels, whose byte counts and pairing come through the woven pipeline. The
 * Instrumentation comes from attaching to this JVM ({@code -Djdk.attach.allowAttachSelf=true}, set for the tests).
 */
public final class WovenNetty implements AutoCloseable {
    private static volatile Instrumentation instrumentation;

    private final ChannelHooks.Taps taps;
    private final Runnable unweave;

    private WovenNetty(ChannelHooks.Taps taps, Runnable unweave) {
        this.taps = taps;
        this.unweave = unweave;
    }

    /** Weaves {@code io.netty} in this JVM and sends every hook call, for any channel, to {@code tap}. */
    public static WovenNetty install(ChannelTap tap) throws Exception {
        Instrumentation inst = instrumentation();
        Runnable unweave = new Instrument("woven", List.of(Instrument.NETTY), false).install(inst);
        ChannelHooks.Taps taps = new ChannelHooks.Taps("woven", c -> tap);
        ChannelHooks.install(taps);
        return new WovenNetty(taps, unweave);
    }

    /** Unweaves Netty: the hooks are gone and the classes are as they were. */
    @Override
    public void close() {
        ChannelHooks.uninstall(taps);
        unweave.run();
    }

    /** Called by the JVM as the attach below loads this class's jar as an agent. */
    public static void agentmain(String args, Instrumentation inst) {
        instrumentation = inst;
    }

    private static synchronized Instrumentation instrumentation() throws Exception {
        if (instrumentation == null) {
            Path jar = agentJar();
            VirtualMachine vm = VirtualMachine.attach(String.valueOf(ProcessHandle.current().pid()));
            try {
                vm.loadAgent(jar.toString());
            } finally {
                vm.detach();
                Files.deleteIfExists(jar);
            }
        }
        return instrumentation;
    }

    // A jar with only a manifest: its Agent-Class is this class, already on the class path.
    private static Path agentJar() throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Agent-Class", WovenNetty.class.getName());
        main.putValue("Can-Retransform-Classes", "true");
        Path jar = Files.createTempFile("woven-netty", ".jar");
        try (OutputStream out = Files.newOutputStream(jar);
             JarOutputStream ignored = new JarOutputStream(out, manifest)) {
            return jar;
        }
    }
}
