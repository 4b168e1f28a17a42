package io.connwatch.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import javax.rmi.ssl.SslRMIClientSocketFactory;

/**
 * A JMX client over TLS in a JVM of its own, started the way JConsole is: the trust store in
 * {@code javax.net.ssl.trustStore}, the registry reached through {@link SslRMIClientSocketFactory}, and the
 * connector's stub checked to carry that factory ({@code jmx.remote.x.check.stub}), as JConsole checks it. A JVM of its
 * own because the TLS client factory takes the JVM-wide default trust, fixed at its first use.
 */
public final class TlsJmxClient {
    private TlsJmxClient() {
    }

    /** What the client printed and how it exited: 0 and {@code value=...} when the attribute was read. */
    public record Result(int exitCode, String output) {
    }

    /** Reads {@code attribute} of {@code mbean} at {@code url} as {@code user}, trusting {@code trustStore}. */
    public static Result read(JMXServiceURL url, Path trustStore, String trustPassword, String user, String password,
                              String mbean, String attribute) throws IOException, InterruptedException {
        ChildJvm client = ChildJvm.main(TlsJmxClient.class).property("javax.net.ssl.trustStore", trustStore)
                .property("javax.net.ssl.trustStorePassword", trustPassword)
                .args(url, user, password, mbean, attribute).errorsInOutput().run(TestTimes.atMost(60_000));
        return new Result(client.exitCode(), client.output().strip());
    }

    /** {@code URL USER PASSWORD MBEAN ATTRIBUTE}. */
    public static void main(String[] args) {
        Map<String, Object> env = new HashMap<>();
        env.put("com.sun.jndi.rmi.factory.socket", new SslRMIClientSocketFactory());
        env.put("jmx.remote.x.check.stub", "true");
        env.put(JMXConnector.CREDENTIALS, new String[] {args[1], args[2]});
        try (JMXConnector c = JMXConnectorFactory.connect(new JMXServiceURL(args[0]), env)) {
            Object value = c.getMBeanServerConnection().getAttribute(new ObjectName(args[3]), args[4]);
            System.out.println("value=" + value);
        } catch (Exception e) {
            System.out.println("failed: " + e);
            System.exit(1);
        }
        System.exit(0);
    }
}
