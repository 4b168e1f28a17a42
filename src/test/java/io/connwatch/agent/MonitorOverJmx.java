package io.connwatch.agent;

import io.connwatch.jmx.JmxRegistration;
import java.io.IOException;
import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/** The agent's monitors in a child JVM, read the way an operator's JConsole does: over its JMX connector. */
final class MonitorOverJmx implements AutoCloseable {
    private final JMXConnector connector;
    private final MBeanServerConnection mbeans;

    private MonitorOverJmx(JMXConnector connector) throws IOException {
        this.connector = connector;
        this.mbeans = connector.getMBeanServerConnection();
    }

    /** Connects to the agent's {@code jmxPort} on loopback. */
    static MonitorOverJmx connect(int port) throws IOException {
        return new MonitorOverJmx(JMXConnectorFactory.connect(
                new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + port + "/jmxrmi")));
    }

    long number(String monitor, String attribute) throws IOException, JMException {
        return ((Number) mbeans.getAttribute(JmxRegistration.objectName(monitor), attribute)).longValue();
    }

    boolean registered(String monitor) throws IOException {
        return mbeans.isRegistered(JmxRegistration.objectName(monitor));
    }

    void checkNow(String monitor) throws IOException, JMException {
        mbeans.invoke(JmxRegistration.objectName(monitor), "checkNow", new Object[0], new String[0]);
    }

    String forceCaptureNow(String monitor) throws IOException, JMException {
        return (String) mbeans.invoke(JmxRegistration.objectName(monitor), "forceCaptureNow", new Object[0],
                new String[0]);
    }

    @Override
    public void close() throws IOException {
        connector.close();
    }
}
