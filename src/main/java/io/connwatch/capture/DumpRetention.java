package io.connwatch.capture;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Keeps a dump folder bounded: at most {@code maxFiles} connwatch dumps and {@code maxBytes} of them, the oldest going
 * first. Only files named like connwatch's dumps ({@code accumulation_*.json}, regular files, not links) are ever
 * counted or deleted; the dump just written is never deleted. Names carry the UTC instant, so name order (without
 * {@code .json}, so that {@code x.json} comes before {@code x-2.json} written in the same millisecond) is age order.
 * Never throws: a file that cannot be deleted is skipped.
 */
public final class DumpRetention {
    private final int maxFiles;
    private final long maxBytes;

    /** A policy of at most {@code maxFiles} dumps and {@code maxBytes} bytes per folder. */
    public DumpRetention(int maxFiles, long maxBytes) {
        this.maxFiles = maxFiles;
        this.maxBytes = maxBytes;
    }

    /** Deletes the oldest dumps in {@code folder} beyond the limits, sparing {@code justWritten}; returns how many. */
    public int prune(Path folder, Path justWritten) {
        List<Path> dumps = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, DumpWriter.FILE_PREFIX + "*.json")) {
            for (Path p : files) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    dumps.add(p);
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        dumps.sort(Comparator.comparing(DumpRetention::stem));
        long total = 0;
        long[] sizes = new long[dumps.size()];
        for (int i = 0; i < dumps.size(); i++) {
            sizes[i] = sizeOf(dumps.get(i));
            total += sizes[i];
        }
        int count = dumps.size();
        int deleted = 0;
        for (int i = 0; i < dumps.size() && (count > maxFiles || total > maxBytes); i++) {
            Path p = dumps.get(i);
            if (p.equals(justWritten)) {
                continue;
            }
            try {
                if (Files.deleteIfExists(p)) {
                    deleted++;
                }
                count--;
                total -= sizes[i];
            } catch (IOException | RuntimeException e) {
                // left in place; the next capture tries again
            }
        }
        return deleted;
    }

    private static String stem(Path p) {
        String name = p.getFileName().toString();
        return name.substring(0, name.length() - ".json".length());
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }
}
