package org.icaloflow.data;

import org.icaloflow.UserError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Several CaloChallenge files read as one sequence of rows (dataset 3 comes in two files; large outputs of
 * {@link ShowerWriter} come in parts). A path that does not exist but has parts {@code STEM.part0001.EXT},
 * {@code STEM.part0002.EXT}, ... next to it stands for those parts, in order (see {@link #expand}). Not
 * thread-safe.
 */
public final class ShowerSource implements AutoCloseable {
    private final List<ShowerFile> files;
    private final List<Path> paths;
    private final long[] starts; // starts[i] = first global row of file i; starts[n] = size
    private final Geometry geometry;

    private ShowerSource(List<ShowerFile> files, Geometry g) {
        this.files = List.copyOf(files);
        this.paths = files.stream().map(ShowerFile::path).toList();
        this.starts = new long[files.size() + 1];
        for (int i = 0; i < files.size(); i++) starts[i + 1] = starts[i] + files.get(i).size();
        this.geometry = g;
    }

    /** Opens every file (parts expanded) and checks its structure; on a problem closes what it opened. */
    public static ShowerSource open(List<Path> files, Geometry g) {
        if (files.isEmpty()) throw new UserError("no input files given");
        List<ShowerFile> opened = new ArrayList<>();
        try {
            for (Path p : files) for (Path q : expand(p)) opened.add(ShowerFile.open(q, g));
            ShowerSource s = new ShowerSource(opened, g);
            opened = List.of();
            return s;
        } finally {
            for (ShowerFile f : opened) f.close();
        }
    }

    /**
     * The files a path stands for: itself when it is a file; when it does not exist, its parts
     * {@code STEM.partNNNN.EXT} as {@link ShowerWriter} names them (numbered from 0001 without gaps), else
     * itself (so that opening it reports it missing).
     */
    public static List<Path> expand(Path p) {
        if (Files.exists(p)) return List.of(p);
        Path dir = p.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) return List.of(p);
        String[] se = ShowerWriter.stemAndExtension(p.getFileName().toString());
        Pattern pat = Pattern.compile(Pattern.quote(se[0]) + "\\.part(\\d{4,})" + Pattern.quote(se[1]));
        TreeMap<Integer, Path> parts = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(q -> {
                Matcher m = pat.matcher(q.getFileName().toString());
                if (m.matches()) parts.put(Integer.parseInt(m.group(1)), p.resolveSibling(q.getFileName()));
            });
        } catch (IOException | NumberFormatException e) {
            return List.of(p);
        }
        if (parts.isEmpty()) return List.of(p);
        int expect = 1;
        for (int k : parts.keySet()) {
            if (k != expect)
                throw new UserError(p + ": found " + parts.size() + " parts but " + ShowerWriter.partPath(p, expect).getFileName() + " is missing");
            expect++;
        }
        return List.copyOf(parts.values());
    }

    /** Total rows over all files. */
    public long size() {
        return starts[starts.length - 1];
    }

    public Geometry geometry() {
        return geometry;
    }

    /** The files actually read (parts expanded), in order. */
    public List<Path> files() {
        return paths;
    }

    /** The opened files, in order. */
    public List<ShowerFile> showerFiles() {
        return files;
    }

    /** Rows {@code [from, from+count)} of the concatenation, possibly spanning files; checked as {@link ShowerFile#read}. */
    public ShowerBatch read(long from, int count) {
        if (from < 0 || count < 0 || from + count > size())
            throw new IndexOutOfBoundsException("rows [" + from + ", " + (from + count) + ") of a source with " + size() + " rows");
        int i = Arrays.binarySearch(starts, from);
        if (i < 0) i = -i - 2;
        // skip empty files starting at the same row
        while (i < files.size() - 1 && starts[i + 1] <= from) i++;
        List<ShowerBatch> parts = new ArrayList<>();
        long at = from;
        int left = count;
        while (left > 0) {
            ShowerFile f = files.get(i);
            long local = at - starts[i];
            int n = (int) Math.min(left, f.size() - local);
            if (n > 0) {
                parts.add(f.read(local, n));
                at += n;
                left -= n;
            }
            i++;
        }
        if (parts.isEmpty()) return new ShowerBatch(new double[0], new float[0], geometry.voxels());
        return ShowerBatch.concat(parts);
    }

    @Override
    public void close() {
        for (ShowerFile f : files) f.close();
    }
}
