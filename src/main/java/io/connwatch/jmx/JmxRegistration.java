package io.connwatch.jmx;

import io.connwatch.ConnectionMonitor;
import io.connwatch.MonitorListener;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.MBeanRegistrationException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.NotCompliantMBeanException;
import javax.management.ObjectName;

/**
 * Registers a monitor's MBean as {@code io.connwatch:type=ConnectionMonitor,name=<name>} (the name quoted where it
 * holds characters an ObjectName reserves). Registering the same monitor twice does nothing; a second monitor with
 * the same name is refused with a message; the MBean goes when the monitor closes.
 */
public final class JmxRegistration {
    // Who registered each name, per server: a monitor may be in the platform server and in one of the host's own.
    private static final Map<MBeanServer, Map<ObjectName, ConnectionMonitor>> OWNERS =
            Collections.synchronizedMap(new WeakHashMap<>());

    private JmxRegistration() {
    }

    /** The ObjectName of the monitor with this name. */
    public static ObjectName objectName(String monitorName) {
        try {
            return new ObjectName("io.connwatch:type=ConnectionMonitor,name=" + quoteIfNeeded(monitorName));
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException("monitor name '" + monitorName + "' cannot name an MBean: " + e.getMessage(), e);
        }
    }

    static String quoteIfNeeded(String name) {
        for (char c : name.toCharArray()) {
            if (",=:\"*?\n\\".indexOf(c) >= 0 || Character.isWhitespace(c)) {
                return ObjectName.quote(name);
            }
        }
        return name;
    }

    /**
     * Registers the monitor's MBean, or does nothing if it already is; returns its name.
     *
     * @throws IllegalStateException if another monitor of the same name is registered
     */
    public static synchronized ObjectName register(ConnectionMonitor monitor, MBeanServer server) {
        ObjectName name = objectName(monitor.name());
        Map<ObjectName, ConnectionMonitor> owners = OWNERS.computeIfAbsent(server, s -> new ConcurrentHashMap<>());
        ConnectionMonitor owner = owners.get(name);
        if (owner == monitor && server.isRegistered(name)) {
            return name;
        }
        if (server.isRegistered(name)) {
            throw new IllegalStateException("an MBean named " + name + " is already registered for another monitor;"
                    + " give this monitor another name");
        }
        MonitorMBean mbean = new MonitorMBean(monitor, name);
        try {
            server.registerMBean(mbean, name);
        } catch (InstanceAlreadyExistsException e) {
            throw new IllegalStateException("an MBean named " + name + " is already registered", e);
        } catch (MBeanRegistrationException | NotCompliantMBeanException e) {
            throw new IllegalStateException("cannot register " + name + ": " + e, e);
        }
        owners.put(name, monitor);
        monitor.addListener(mbean);
        monitor.addListener(new MonitorListener() {
            @Override
            public void onClose(ConnectionMonitor m) {
                unregister(m, server);
            }
        });
        return name;
    }

    /** Removes the monitor's MBean, if it is the one registered under its name. */
    public static synchronized void unregister(ConnectionMonitor monitor, MBeanServer server) {
        ObjectName name = objectName(monitor.name());
        Map<ObjectName, ConnectionMonitor> owners = OWNERS.get(server);
        if (owners == null || !owners.remove(name, monitor)) {
            return;
        }
        try {
            server.unregisterMBean(name);
        } catch (InstanceNotFoundException | MBeanRegistrationException gone) {
            // already unregistered by someone else: nothing left to do
        }
    }
}
