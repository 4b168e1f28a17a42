package io.connwatch.jmx;

import io.connwatch.ConnectionMonitor;
import io.connwatch.MonitorIntegration;
import java.lang.management.ManagementFactory;
import org.slf4j.LoggerFactory;

/**
 * Registers every monitor's MBean in the platform MBean server, so JConsole and VisualVM find it with nothing to
 * configure. Off with {@code -Dconnwatch.jmx=false}. A name already taken by another monitor is logged, not thrown.
 */
public final class JmxIntegration implements MonitorIntegration {
    @Override
    public void attach(ConnectionMonitor monitor) {
        if ("false".equalsIgnoreCase(System.getProperty("connwatch.jmx"))) {
            return;
        }
        try {
            JmxRegistration.register(monitor, ManagementFactory.getPlatformMBeanServer());
        } catch (IllegalStateException | IllegalArgumentException e) {
            LoggerFactory.getLogger(JmxIntegration.class).warn("[{}] MBean not registered: {}", monitor.name(),
                    e.getMessage());
        }
    }
}
