package io.connwatch.jmx;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.rmi.NoSuchObjectException;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.RMIClientSocketFactory;
import java.rmi.server.RMIServerSocketFactory;
import java.rmi.server.UnicastRemoteObject;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import javax.management.MBeanServer;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXServiceURL;
import javax.management.remote.rmi.RMIConnectorServer;
import javax.management.remote.rmi.RMIJRMPServerImpl;
import javax.net.ssl.SSLContext;
import javax.rmi.ssl.SslRMIClientSocketFactory;

/**
 * A JMX connector over RMI with the registry and the connector on one port, bound to one address, as JConsole's
 * {@code host:port} form expects ({@code service:jmx:rmi:///jndi/rmi://host:port/jmxrmi}). Authentication uses the
 * JDK's password and access files (a {@code readonly} role reads, a {@code readwrite} role also writes and invokes);
 * the password file must be open to its owner only ({@link JmxFiles}). It refuses to expose a connector without
 * authentication on a non-loopback address.
 *
 * <p>With {@link Builder#tls(JmxTls)} the registry and the connector both speak TLS only, as the JDK's agent does with
 * {@code com.sun.management.jmxremote.ssl=true} and {@code com.sun.management.jmxremote.registry.ssl=true}: the stubs
 * carry a {@link SslRMIClientSocketFactory}, so JConsole and VisualVM connect with the server's certificate in their
 * trust store, and a plain client is refused.
 *
 * <p>The RMI stubs it hands out name the bind address (this host's address when bound to every interface): it sets
 * {@code java.rmi.server.hostname} to it unless that is already set.
 */
public final class JmxRemote implements AutoCloseable {
    private final Registry registry;
    private final JMXConnectorServer server;
    private final JMXServiceURL url;
    private final boolean tls;

    private JmxRemote(Registry registry, JMXConnectorServer server, JMXServiceURL url, boolean tls) {
        this.registry = registry;
        this.server = server;
        this.url = url;
        this.tls = tls;
    }

    /**
     * Starts a plain connector for {@code mbeans} on {@code address:port}. {@code passwordFile} and {@code accessFile}
     * may be null only on a loopback address (no authentication). The same as
     * {@code builder(mbeans).address(address).port(port).passwordFile(passwordFile).accessFile(accessFile).start()}.
     *
     * @throws IllegalArgumentException for an unauthenticated non-loopback address, unreadable files, or a password
     *                                  file open to others than its owner
     * @throws IOException              if the port cannot be bound
     */
    public static JmxRemote start(MBeanServer mbeans, InetAddress address, int port, Path passwordFile,
                                  Path accessFile) throws IOException {
        return builder(mbeans).address(address).port(port).passwordFile(passwordFile).accessFile(accessFile).start();
    }

    /** A connector for {@code mbeans}, to be configured: the port is required, the rest optional. */
    public static Builder builder(MBeanServer mbeans) {
        return new Builder(mbeans);
    }

    /** What a connector serves, where, and to whom; {@link #start()} checks it all before binding anything. */
    public static final class Builder {
        private final MBeanServer mbeans;
        private InetAddress address = InetAddress.getLoopbackAddress();
        private int port = -1;
        private Path passwordFile;
        private Path accessFile;
        private JmxTls tls;

        private Builder(MBeanServer mbeans) {
            this.mbeans = Objects.requireNonNull(mbeans, "mbeans");
        }

        /** The address to bind (default: loopback); another needs a password file. */
        public Builder address(InetAddress address) {
            this.address = Objects.requireNonNull(address, "address");
            return this;
        }

        /** The one port of the registry and the connector, 1 to 65535. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** The JDK's password file ({@code user password} lines), open to its owner only; null: no authentication. */
        public Builder passwordFile(Path passwordFile) {
            this.passwordFile = passwordFile;
            return this;
        }

        /** The JDK's access file ({@code user readonly|readwrite} lines); needs a password file. */
        public Builder accessFile(Path accessFile) {
            this.accessFile = accessFile;
            return this;
        }

        /** Serves the registry and the connector over TLS only, with this key store; null: plain. */
        public Builder tls(JmxTls tls) {
            this.tls = tls;
            return this;
        }

        /**
         * Checks the settings and starts the connector.
         *
         * @throws IllegalArgumentException for a port outside 1..65535, an unauthenticated non-loopback address,
         *                                  unreadable files, or a password file open to others than its owner
         * @throws IOException              if the port cannot be bound
         */
        public JmxRemote start() throws IOException {
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
            return open(mbeans, address, port, env, tls);
        }
    }

    /** The address clients are told to use: the bind address, or this host's when bound to every interface. */
    static InetAddress advertised(InetAddress bind) throws UnknownHostException {
        return bind.isAnyLocalAddress() ? InetAddress.getLocalHost() : bind;
    }

    private static JmxRemote open(MBeanServer mbeans, InetAddress address, int port, Map<String, Object> env,
                                  JmxTls tls) throws IOException {
        // Bound to every interface, the stubs and the URL must name this host: 0.0.0.0 reaches nothing from elsewhere.
        String host = advertised(address).getHostAddress();
        if (System.getProperty("java.rmi.server.hostname") == null) {
            System.setProperty("java.rmi.server.hostname", host);
        }
        // Equal factories on the registry and the connector let RMI serve both on the one port. JConsole takes a stub
        // for TLS only when its client factory is exactly SslRMIClientSocketFactory, so that class and no other.
        BoundSocketFactory sockets = new BoundSocketFactory(address, tls == null ? null : tls.context());
        RMIClientSocketFactory clients = tls == null ? null : new SslRMIClientSocketFactory();
        env.put(RMIConnectorServer.RMI_SERVER_SOCKET_FACTORY_ATTRIBUTE, sockets);
        if (clients != null) {
            env.put(RMIConnectorServer.RMI_CLIENT_SOCKET_FACTORY_ATTRIBUTE, clients);
        }
        Registry registry = LocateRegistry.createRegistry(port, clients, sockets);
        String urlHost = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        JMXServiceURL url = new JMXServiceURL("service:jmx:rmi://" + urlHost + ":" + port + "/jndi/rmi://" + urlHost
                + ":" + port + "/jmxrmi");
        // The stub goes into the registry directly, not through JNDI: a JNDI bind would be a network call to our own
        // registry, which over TLS would have to trust our own certificate.
        RMIJRMPServerImpl rmiServer = new RMIJRMPServerImpl(port, clients, sockets, env);
        JMXConnectorServer server = new RMIConnectorServer(new JMXServiceURL("rmi", host, port), env, rmiServer,
                mbeans);
        try {
            server.start();
            registry.rebind("jmxrmi", rmiServer.toStub()); // a registry of its own: nothing to replace
        } catch (IOException | RuntimeException e) {
            try {
                server.stop();
            } catch (IOException stopFailed) {
                e.addSuppressed(stopFailed);
            } finally {
                UnicastRemoteObject.unexportObject(registry, true);
            }
            throw e;
        }
        return new JmxRemote(registry, server, url, tls != null);
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

    /** Whether the registry and the connector speak TLS only. */
    public boolean isTls() {
        return tls;
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

    /**
     * Server sockets bound to one address, plain or (with a context) TLS in server mode; equal instances let the
     * registry and the connector share a port.
     */
    private static final class BoundSocketFactory implements RMIServerSocketFactory {
        private final InetAddress address;
        private final SSLContext tls;

        BoundSocketFactory(InetAddress address, SSLContext tls) {
            this.address = address;
            this.tls = tls;
        }

        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            if (tls == null) {
                return new ServerSocket(port, 50, address);
            }
            return tls.getServerSocketFactory().createServerSocket(port, 50, address);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof BoundSocketFactory && ((BoundSocketFactory) o).address.equals(address)
                    && ((BoundSocketFactory) o).tls == tls;
        }

        @Override
        public int hashCode() {
            return address.hashCode() * 31 + System.identityHashCode(tls);
        }
    }
}
