package io.connwatch;

import java.util.Iterator;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Something that attaches itself to every monitor when it is built: JDK Flight Recorder events, for one. Found with
 * {@link ServiceLoader} ({@code META-INF/services/io.connwatch.MonitorIntegration}); an integration whose platform
 * part is missing (a runtime without {@code jdk.jfr}) fails to load and is skipped, and so is one that throws.
 * Switch them all off with {@code -Dconnwatch.integrations=false}.
 */
public interface MonitorIntegration {
    /** Attaches to a new monitor, typically by adding listeners. Must not throw for a missing platform feature. */
    void attach(ConnectionMonitor monitor);

    /** Attaches every integration found to {@code monitor}; failures are logged and skipped. */
    static void attachAll(ConnectionMonitor monitor) {
        if ("false".equalsIgnoreCase(System.getProperty("connwatch.integrations"))) {
            return;
        }
        Logger log = LoggerFactory.getLogger(MonitorIntegration.class);
        Iterator<MonitorIntegration> it = ServiceLoader.load(MonitorIntegration.class,
                MonitorIntegration.class.getClassLoader()).iterator();
        // Bounded: a broken provider entry must not keep the iterator failing forever.
        for (int i = 0; i < 64; i++) {
            try {
                if (!it.hasNext()) {
                    return;
                }
                it.next().attach(monitor);
            } catch (ServiceConfigurationError | LinkageError | RuntimeException e) {
                log.info("[{}] an integration is not available and was skipped: {}", monitor.name(), e.toString());
            }
        }
    }
}
