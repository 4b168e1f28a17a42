package io.connwatch.jmx;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.UnrecoverableKeyException;
import java.util.Collections;
import java.util.function.UnaryOperator;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The key store a TLS connector presents, loaded and checked when this is made: it exists, opens with its password,
 * and holds a private key that password unlocks. Clients authenticate the connector by trusting its certificate
 * (JConsole: {@code -J-Djavax.net.ssl.trustStore=FILE}); client certificates are not asked for.
 *
 * <p>Every problem is an {@link IllegalArgumentException} whose one-line message names the key store and says why.
 */
public final class JmxTls {
    private final SSLContext context;
    private final String source;

    private JmxTls(SSLContext context, String source) {
        this.context = context;
        this.source = source;
    }

    /**
     * The key store the JDK's management agent would use: {@code javax.net.ssl.keyStore},
     * {@code javax.net.ssl.keyStorePassword} and {@code javax.net.ssl.keyStoreType} (PKCS12 or JKS found by content
     * when absent).
     *
     * @throws IllegalArgumentException if no key store is set or it is not usable
     */
    public static JmxTls fromSystemProperties() {
        return fromProperties(System::getProperty);
    }

    static JmxTls fromProperties(UnaryOperator<String> properties) {
        String file = properties.apply("javax.net.ssl.keyStore");
        if (file == null || file.isBlank() || "NONE".equals(file)) {
            throw new IllegalArgumentException("no key store: set javax.net.ssl.keyStore and"
                    + " javax.net.ssl.keyStorePassword, or give a key store file and its password file");
        }
        String password = properties.apply("javax.net.ssl.keyStorePassword");
        String what = "key store " + file + " (javax.net.ssl.keyStore)";
        return load(what, Path.of(file), password == null ? new char[0] : password.toCharArray(),
                properties.apply("javax.net.ssl.keyStoreType"), "its password (javax.net.ssl.keyStorePassword)");
    }

    /**
     * The key store in {@code keyStore} (PKCS12 or JKS, found by content), its password the first line of
     * {@code passwordFile}, which must be open to its owner only (see {@link JmxFiles}). A password on a command line
     * would show in {@code ps}; a file does not.
     *
     * @throws IllegalArgumentException if a file is missing, the password file is open to others, or the key store is
     *                                  not usable
     */
    public static JmxTls keyStore(Path keyStore, Path passwordFile) {
        String what = "key store " + keyStore;
        requireReadable(what, keyStore);
        JmxFiles.requireOwnerOnly("key store password file", passwordFile);
        String password;
        try {
            password = Files.readString(passwordFile, StandardCharsets.UTF_8).lines().findFirst().orElse("");
        } catch (IOException e) {
            throw new IllegalArgumentException("key store password file " + passwordFile + " cannot be read: "
                    + e.getMessage(), e);
        }
        if (password.isEmpty()) {
            throw new IllegalArgumentException("key store password file " + passwordFile
                    + " is empty: its first line is the key store's password");
        }
        return load(what, keyStore, password.toCharArray(), null, "the password in " + passwordFile);
    }

    private static void requireReadable(String what, Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException(what + " is not a readable file");
        }
    }

    private static JmxTls load(String what, Path file, char[] password, String type, String passwordSource) {
        requireReadable(what, file);
        KeyStore store;
        try {
            if (type == null || type.isBlank()) {
                store = KeyStore.getInstance(file.toFile(), password);
            } else {
                store = KeyStore.getInstance(type);
                try (var in = Files.newInputStream(file)) {
                    store.load(in, password);
                }
            }
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException) {
                throw new IllegalArgumentException(what + " cannot be opened with " + passwordSource
                        + ": wrong password", e);
            }
            throw new IllegalArgumentException(what + " cannot be read: " + e.getMessage(), e);
        } catch (KeyStoreException e) {
            throw new IllegalArgumentException(what + " is not a key store (PKCS12 or JKS)"
                    + (type == null ? "" : " of type " + type), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(what + " cannot be read: " + e.getMessage(), e);
        }
        try {
            boolean hasKey = false;
            for (String alias : Collections.list(store.aliases())) {
                hasKey |= store.isKeyEntry(alias);
            }
            if (!hasKey) {
                throw new IllegalArgumentException(what + " holds no private key, only certificates:"
                        + " make a key pair in it with keytool -genkeypair");
            }
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return new JmxTls(context, what);
        } catch (UnrecoverableKeyException e) {
            throw new IllegalArgumentException(what + ": its private key cannot be unlocked with " + passwordSource
                    + " (the key's password must be the key store's)", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(what + " cannot be used: " + e.getMessage(), e);
        }
    }

    /** The context the connector's server sockets come from. */
    SSLContext context() {
        return context;
    }

    /** Which key store, for messages. */
    @Override
    public String toString() {
        return source;
    }
}
