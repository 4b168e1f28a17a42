package io.connwatch.jmx;

import static io.connwatch.testing.Sockets.freePort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connwatch.ConnectionMonitor;
import io.connwatch.MonitorSettings;
import io.connwatch.testing.TestFiles;
import io.connwatch.testing.TestKeyStores;
import io.connwatch.testing.TlsJmxClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.rmi.RemoteException;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.net.ssl.SSLException;
import javax.rmi.ssl.SslRMIClientSocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connector over TLS, with a key pair made by the JDK's keytool: a client that trusts the certificate connects,
 * authenticates and reads, as JConsole does; a plain client and a client that does not trust the certificate are
 * refused; a key store that cannot serve is refused with one line before anything is bound.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS) // a refused client must fail, not hang
class JmxRemoteTlsTest {
    @TempDir
    static Path keys;
    private static TestKeyStores stores;

    @TempDir
    Path tmp;

    private final MBeanServer mbeans = MBeanServerFactory.newMBeanServer();
    private ConnectionMonitor monitor;
    private ObjectName name;
    private Path passwords;
    private Path access;
    private JmxRemote remote;

    @BeforeAll
    static void makeKeys() throws Exception {
        stores = TestKeyStores.create(keys);
    }

    @BeforeEach
    void setUp() throws IOException {
        passwords = TestFiles.ownerOnly(tmp.resolve("jmx.password"), "reader readerpw\n");
        access = Files.writeString(tmp.resolve("jmx.access"), "reader readonly\n");
        monitor = new ConnectionMonitor(new io.connwatch.tracking.ConnectionTracker("tls-edge"),
                MonitorSettings.builder().outputDirectory(tmp.resolve("dumps")).build());
        name = JmxRegistration.register(monitor, mbeans);
    }

    @AfterEach
    void tearDown() throws IOException {
        if (remote != null) {
            remote.close();
        }
        monitor.close();
    }

    private JmxRemote startTls() throws IOException {
        return JmxRemote.builder(mbeans).port(freePort()).passwordFile(passwords).accessFile(access)
                .tls(JmxTls.keyStore(stores.keyStore, stores.passwordFile)).start();
    }

    private static Map<String, Object> credentials() {
        Map<String, Object> env = new HashMap<>();
        env.put(JMXConnector.CREDENTIALS, new String[] {"reader", "readerpw"});
        return env;
    }

    @Test
    void aClientTrustingTheCertificateConnectsOverTlsAuthenticatesAndReads() throws Exception {
        remote = startTls();
        assertTrue(remote.isTls());
        assertTrue(remote.url().toString().matches("service:jmx:rmi://127\\.0\\.0\\.1:\\d+/jndi/rmi://127\\.0\\.0\\.1:\\d+/jmxrmi"),
                remote.url().toString());

        TlsJmxClient.Result read = TlsJmxClient.read(remote.url(), stores.trustStore, TestKeyStores.TRUST_PASSWORD,
                "reader", "readerpw", name.toString(), "Name");
        assertEquals(0, read.exitCode(), read.output());
        assertTrue(read.output().endsWith("value=tls-edge"), read.output());

        TlsJmxClient.Result wrong = TlsJmxClient.read(remote.url(), stores.trustStore, TestKeyStores.TRUST_PASSWORD,
                "reader", "wrong", name.toString(), "Name");
        assertEquals(1, wrong.exitCode(), wrong.output());
        assertTrue(wrong.output().contains("SecurityException"), "the password is still checked: " + wrong.output());
    }

    @Test
    void aPlainClientIsRefused() throws Exception {
        remote = startTls();
        IOException e = assertThrows(IOException.class, () -> JMXConnectorFactory.connect(remote.url(), credentials()));
        assertFalse(String.valueOf(e).contains("SecurityException"), "refused before any password was sent: " + e);
        Registry registry = LocateRegistry.getRegistry("127.0.0.1", remote.url().getPort());
        assertThrows(RemoteException.class, registry::list, "the registry speaks TLS only, too");
    }

    @Test
    void aTlsClientThatDoesNotTrustTheCertificateIsRefused() throws Exception {
        remote = startTls();
        Map<String, Object> env = credentials();
        env.put("com.sun.jndi.rmi.factory.socket", new SslRMIClientSocketFactory()); // this JVM's default trust
        IOException e = assertThrows(IOException.class, () -> JMXConnectorFactory.connect(remote.url(), env));
        assertTrue(causes(e, SSLException.class), "refused in the TLS handshake: " + e);
    }

    private static boolean causes(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void aPlainConnectorStillServesPlainClients() throws Exception {
        remote = JmxRemote.builder(mbeans).port(freePort()).passwordFile(passwords).accessFile(access).start();
        assertFalse(remote.isTls());
        try (JMXConnector c = JMXConnectorFactory.connect(remote.url(), credentials())) {
            assertEquals("tls-edge", c.getMBeanServerConnection().getAttribute(name, "Name"));
        }
    }

    @Test
    void aKeyStoreThatCannotServeIsRefusedWithOneLineSayingWhy() throws Exception {
        Path missing = tmp.resolve("missing.p12");
        assertRefused(() -> JmxTls.keyStore(missing, stores.passwordFile),
                "key store " + missing + " is not a readable file");

        Path wrong = TestFiles.ownerOnly(tmp.resolve("wrong.password"), "not-the-password\n");
        assertRefused(() -> JmxTls.keyStore(stores.keyStore, wrong), "key store " + stores.keyStore
                + " cannot be opened with the password in " + wrong + ": wrong password");

        Path notAKeyStore = Files.writeString(tmp.resolve("notes.txt"), "not a key store\n");
        assertRefused(() -> JmxTls.keyStore(notAKeyStore, stores.passwordFile),
                "key store " + notAKeyStore + " is not a key store (PKCS12 or JKS)");

        Path trustPassword = TestFiles.ownerOnly(tmp.resolve("trust.password"), TestKeyStores.TRUST_PASSWORD + "\n");
        assertRefused(() -> JmxTls.keyStore(stores.trustStore, trustPassword), "key store " + stores.trustStore
                + " holds no private key, only certificates: make a key pair in it with keytool -genkeypair");

        Path empty = TestFiles.ownerOnly(tmp.resolve("empty.password"), "");
        assertRefused(() -> JmxTls.keyStore(stores.keyStore, empty), "key store password file " + empty
                + " is empty: its first line is the key store's password");
    }

    @Test
    void aKeyStorePasswordFileOthersCanReadIsRefused() throws Exception {
        for (String mode : new String[] {"rw-r--r--", "rw-r-----"}) {
            Path open = TestFiles.withMode(tmp.resolve("open.password"), TestKeyStores.PASSWORD + "\n", mode);
            assertRefused(() -> JmxTls.keyStore(stores.keyStore, open), "key store password file " + open
                    + " is open to its group or others (" + mode + "): restrict it to its owner with chmod 600 " + open);
        }
    }

    @Test
    void theSystemPropertiesTheJdkAgentReadsNameTheKeyStore() throws Exception {
        assertRefused(() -> JmxTls.fromProperties(p -> null), "no key store: set javax.net.ssl.keyStore and"
                + " javax.net.ssl.keyStorePassword, or give a key store file and its password file");
        Map<String, String> wrong = Map.of("javax.net.ssl.keyStore", stores.keyStore.toString(),
                "javax.net.ssl.keyStorePassword", "nope");
        assertRefused(() -> JmxTls.fromProperties(wrong::get), "key store " + stores.keyStore
                + " (javax.net.ssl.keyStore) cannot be opened with its password (javax.net.ssl.keyStorePassword):"
                + " wrong password");
        Map<String, String> right = Map.of("javax.net.ssl.keyStore", stores.keyStore.toString(),
                "javax.net.ssl.keyStorePassword", TestKeyStores.PASSWORD, "javax.net.ssl.keyStoreType", "PKCS12");
        remote = JmxRemote.builder(mbeans).port(freePort()).tls(JmxTls.fromProperties(right::get)).start();
        assertThrows(IOException.class, () -> JMXConnectorFactory.connect(remote.url(), credentials()).close(),
                "TLS only");
    }

    private static void assertRefused(Runnable make, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make::run);
        assertEquals(message, e.getMessage());
    }
}
