package io.connwatch.jmx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.AclEntry;
import java.nio.file.attribute.AclEntryType;
import java.nio.file.attribute.AclFileAttributeView;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks on the files that hold JMX secrets (the password file, a key store's password file), made the way the JDK's
 * management agent makes them: such a file must be open to its owner only, or anyone on the host could read the
 * passwords in it. Every place that takes such a file (the connector, the command line, the agent) calls this class.
 *
 * <p>On a POSIX file system the file must have no group or other permission bits ({@code chmod 600}). Where the file
 * system offers ACLs instead (Windows), every ALLOW entry must name the file's owner. Where it offers neither, nothing
 * can be checked: the file is accepted and a warning is logged, as the JDK's agent accepts it.
 */
public final class JmxFiles {
    private static final Logger LOG = LoggerFactory.getLogger(JmxFiles.class);
    private static final Set<PosixFilePermission> OWNER = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

    private JmxFiles() {
    }

    /**
     * Refuses a secret file that others may use.
     *
     * @param what what the file is, for the message ({@code "JMX password file"})
     * @throws IllegalArgumentException naming {@code what}, the file and the fix, if it is open to others or cannot
     *                                  be read
     */
    public static void requireOwnerOnly(String what, Path file) {
        ownerOnlyProblem(file).ifPresent(problem -> {
            throw new IllegalArgumentException(what + " " + file + " " + problem);
        });
    }

    /**
     * Why {@code file} is not a secret file open to its owner only, as the end of a sentence that starts with the
     * file's name ({@code "is open to its group or others (rw-r--r--): chmod 600 pw"}), or empty if it is fine.
     */
    public static Optional<String> ownerOnlyProblem(Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            return Optional.of("is not a readable file");
        }
        try {
            PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class);
            if (posix != null) {
                Set<PosixFilePermission> perms = posix.readAttributes().permissions();
                if (OWNER.containsAll(perms)) {
                    return Optional.empty();
                }
                return Optional.of("is open to its group or others (" + PosixFilePermissions.toString(perms)
                        + "): restrict it to its owner with chmod 600 " + file);
            }
            AclFileAttributeView acl = Files.getFileAttributeView(file, AclFileAttributeView.class);
            if (acl != null) {
                UserPrincipal owner = acl.getOwner();
                Set<String> others = acl.getAcl().stream().filter(e -> e.type() == AclEntryType.ALLOW)
                        .map(AclEntry::principal).filter(p -> !p.equals(owner)).map(UserPrincipal::getName)
                        .collect(Collectors.toCollection(TreeSet::new));
                if (others.isEmpty()) {
                    return Optional.empty();
                }
                return Optional.of("is open to others than its owner " + owner.getName() + " (" + String.join(", ", others)
                        + "): remove their access, keep only the owner's (chmod 600 " + file + " on POSIX systems)");
            }
        } catch (IOException e) {
            return Optional.of("cannot be checked: " + e.getMessage());
        }
        LOG.warn("cannot tell who may read {}: its file system has neither POSIX permissions nor ACLs", file);
        return Optional.empty();
    }
}
