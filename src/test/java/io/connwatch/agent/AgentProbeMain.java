package io.connwatch.agent;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * An application that knows nothing of connwatch (no connwatch import: only the platform MBean server), started with
 * the agent by {@link ConnwatchAgentIT}. It prints what the agent left in the MBean server, then, given {@code serve},
 * keeps running until a {@code stop} line on its input; its main then returns and the JVM must end by itself.
 *
 * <p>Arguments: the monitor name to look for, then optionally {@code serve}.
 */
public final class AgentProbeMain {
    private AgentProbeMain() {
    }

    public static void main(String[] args) throws Exception {
        MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("io.connwatch:type=ConnectionMonitor,name=" + args[0]);
        boolean registered = mbeans.isRegistered(name);
        System.out.println("registered=" + registered);
        if (registered) {
            System.out.println("running=" + mbeans.getAttribute(name, "Running"));
            System.out.println("threshold=" + mbeans.getAttribute(name, "AccumulationThreshold"));
            System.out.println("interval=" + mbeans.getAttribute(name, "CheckIntervalMillis"));
            System.out.println("cleanup=" + mbeans.getAttribute(name, "CleanupEnabled"));
        }
        System.out.println("connwatch mbeans=" + mbeans.queryNames(new ObjectName("io.connwatch:*"), null).size());
        if (args.length > 1 && "serve".equals(args[1])) {
            System.out.println("serving");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null && !"stop".equals(line); line = in.readLine()) {
                System.out.println("ignored " + line);
            }
        }
        System.out.println("main done");
    }
}
