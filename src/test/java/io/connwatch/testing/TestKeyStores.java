package io.connwatch.testing;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A self-signed key pair made with the JDK's own {@code keytool}, the way docs/SECURITY.md tells an operator to make
 * one: the server's PKCS12 key store with its password in an owner-only file, and a client trust store holding only
 * the server's certificate.
 */
public final class TestKeyStores {
    /** The key store's password, also in {@link #passwordFile}. */
    public static final String PASSWORD = "key-store-secret";
    /** The trust store's password. */
    public static final String TRUST_PASSWORD = "trust-store-secret";

    /** The server's key store (PKCS12, one private key entry). */
    public final Path keyStore;
    /** The key store's password on its first line, mode 0600. */
    public final Path passwordFile;
    /** The client's trust store (PKCS12, the server's certificate only). */
    public final Path trustStore;

    private TestKeyStores(Path keyStore, Path passwordFile, Path trustStore) {
        this.keyStore = keyStore;
        this.passwordFile = passwordFile;
        this.trustStore = trustStore;
    }

    /** Makes the key store, its password file and the trust store in {@code dir}. */
    public static TestKeyStores create(Path dir) throws IOException, InterruptedException {
        Path keyStore = dir.resolve("jmx-keystore.p12");
        Path cert = dir.resolve("jmx.cer");
        Path trustStore = dir.resolve("jmx-truststore.p12");
        keytool("-genkeypair", "-alias", "jmx", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "san=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
                "-keystore", keyStore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
        keytool("-exportcert", "-alias", "jmx", "-keystore", keyStore.toString(), "-storepass", PASSWORD,
                "-file", cert.toString());
        keytool("-importcert", "-noprompt", "-alias", "jmx", "-file", cert.toString(), "-storetype", "PKCS12",
                "-keystore", trustStore.toString(), "-storepass", TRUST_PASSWORD);
        Path passwordFile = TestFiles.ownerOnly(dir.resolve("jmx-keystore.password"), PASSWORD + "\n");
        return new TestKeyStores(keyStore, passwordFile, trustStore);
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        Tools.Result r = Tools.jdk("keytool", TestTimes.atMost(60_000), args);
        if (!r.ok()) {
            throw new IOException("keytool " + String.join(" ", args) + " failed: " + r.output());
        }
    }
}
