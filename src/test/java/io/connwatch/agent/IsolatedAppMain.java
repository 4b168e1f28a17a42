package io.connwatch.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An application with its own Jackson and SLF4J, started with the agent by {@link AgentIsolationIT}: compiled against
 * the test class path, run against whatever versions the test puts beside it (only calls that every 2.x Jackson and
 * every SLF4J since 1.7 has). It prints which versions it got and shows that they work, then reads what the agent left
 * in the platform MBean server and presses the monitor's capture, which connwatch writes with its own Jackson.
 *
 * <p>Argument: the monitor name to look for.
 */
public final class IsolatedAppMain {
    private IsolatedAppMain() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("jackson-databind=" + com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION);
        System.out.println("jackson-core=" + com.fasterxml.jackson.core.json.PackageVersion.VERSION);
        Map<String, Object> doc = new TreeMap<>();
        doc.put("app", "isolated");
        doc.put("n", 1);
        System.out.println("json=" + new ObjectMapper().writeValueAsString(doc));
        System.out.println("slf4j-api=" + jarName(LoggerFactory.class));
        Logger log = LoggerFactory.getLogger("isolated.app");
        System.out.println("slf4j-binding=" + LoggerFactory.getILoggerFactory().getClass().getName());
        log.info("the application logs through its own binding");

        MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("io.connwatch:type=ConnectionMonitor,name=" + args[0]);
        System.out.println("registered=" + mbeans.isRegistered(name));
        System.out.println("running=" + mbeans.getAttribute(name, "Running"));
        System.out.println("capture=" + mbeans.invoke(name, "forceCaptureNow", null, null));
        System.out.println("main done");
    }

    /** The file name of the jar a class came from. */
    private static String jarName(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).getFileName().toString();
    }
}
