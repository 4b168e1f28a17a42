package io.connwatch.jmx;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.rmi.NoSuchObjectException;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.RMIServerSocketFactory;
import java.rmi.server.UnicastRemoteObject;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import javax.management.MBeanServer;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;
import javax.management.remote.rmi.RMIConnectorServer;

/**
 * A JMX connector over RMI with the registry and the connector on one port, bound to one address, as JConsole's
 * {@code host:port} form expects ({@code service:jmx:rmi:///jndi/rmi://host:port/jmxrmi}). Authentication uses the
 * JDK's password and access files (a {@code readonly} role reads, a {@code readwrite} role also writes and invokes);
 * the password file must be open to its owner only ({@link JmxFiles}). It refuses to expose a connector without authentication on a non-loopback address.
 *
 * <p>The RMI stubs it hands out name the bind address: it sets {@code java.rmi.server.hostname} to it unless that is
 * already set.
 */
public final class JmxRemote implements AutoCloseable {
    private final Registry registry;
    private final JMXConnectorServer server;
    private final JMXServiceURL url;

    private JmxRemote(Registry registry, JMXConnectorServer server, JMXServiceURL url) {
        this.registry = registry;
        this.server = server;
        this.url = url;
    }

    /**
     * Starts a connector for {@code mbeans} on {@code address:port}. {@code passwordFile} and {@code accessFile} may be
     * null only on a loopback address (no authentication).
     *
     * @throws IllegalArgumentException for an unauthenticated non-loopback address, unreadable files, or a password
     *                                  file open to others than its owner
     * @throws IOException              if the port cannot be bound
     */
    public static JmxRemote start(MBeanServer mbeans, InetAddress address, int port, Path passwordFile,
                                  Path accessFile) throws IOException {
        Objects.requireNonNull(mbeans, "mbeans");
        Objects.requireNonNull(address, "address");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("JMX port must be 1..65535, was " + port);
        }
        if (passwordFile == null && !address.isLoopbackAddress()) {
            throw new IllegalArgumentException("refusing a JMX connector without authentication on " + address
                    + ": give a password file, or bind to loopback");
        }
        if (passwordFile == null && accessFile != null) {
            throw new IllegalArgumentException("an access file needs a password file");
        }
        Map<String, Object> env = new HashMap<>();
        if (passwordFile != null) {
            JmxFiles.requireOwnerOnly("JMX password file", passwordFile);
            env.put("jmx.remote.x.password.file", passwordFile.toString());
            if (accessFile != null) {
                requireReadable("access file", accessFile);
                env.put("jmx.remote.x.access.file", accessFile.toString());
            }
        }
        String host = address.getHostAddress();
        if (System.getProperty("java.rmi.server.hostname") == null) {
            System.setProperty("java.rmi.server.hostname", host);
        }
        BoundSocketFactory sockets = new BoundSocketFactory(address);
        env.put(RMIConnectorServer.RMI_SERVER_SOCKET_FACTORY_ATTRIBUTE, sockets);
        Registry registry = LocateRegistry.createRegistry(port, null, sockets);
        String urlHost = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        JMXServiceURL url = new JMXServiceURL("service:jmx:rmi://" + urlHost + ":" + port + "/jndi/rmi://" + urlHost
                + ":" + port + "/jmxrmi");
        JMXConnectorServer server = JMXConnectorServerFactory.newJMXConnectorServer(url, env, mbeans);
        try {
            server.start();
        } catch (IOException | RuntimeException e) {
            UnicastRemoteObject.unexportObject(registry, true);
            throw e;
        }
        return new JmxRemote(registry, server, url);
    }

    private static void requireReadable(String what, Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException("JMX " + what + " " + file + " is not a readable file");
        }
    }

    /** The URL a client connects to; JConsole also accepts {@code host:port}. */
    public JMXServiceURL url() {
        return url;
    }

    /** Stops the connector and the registry. */
    @Override
    public void close() throws IOException {
        try {
            server.stop();
        } finally {
            try {
                UnicastRemoteObject.unexportObject(registry, true);
            } catch (NoSuchObjectException alreadyGone) {
                // nothing to release
            }
        }
    }

    /** Server sockets bound to one address; equal instances let the registry and connector share a port. */
    private static final class BoundSocketFactory implements RMIServerSocketFactory {
        private final InetAddress address;

        BoundSocketFactory(InetAddress address) {
            this.address = address;
        }

        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            return new ServerSocket(port, 50, address);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof BoundSocketFactory && ((BoundSocketFactory) o).address.equals(address);
        }

        @Override
        public int hashCode() {
            return address.hashCode();
        }
    }
}
