package io.connwatch.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Files with the permissions a test needs, whatever the umask. */
public final class TestFiles {
    private TestFiles() {
    }

    /** Writes {@code text} to {@code file}, open to its owner only (0600), as a password file must be. */
    public static Path ownerOnly(Path file, String text) throws IOException {
        return withMode(file, text, "rw-------");
    }

    /** Writes {@code text} to {@code file} with these permissions, written like {@code rw-r--r--}. */
    public static Path withMode(Path file, String text, String mode) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    }
}
