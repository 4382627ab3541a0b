package org.icaloflow.calodream;

import ai.djl.ndarray.NDManager;
import org.icaloflow.EngineThreads;
import org.icaloflow.UserError;
import org.icaloflow.data.Geometry;
import org.icaloflow.data.ShowerBatch;
import org.icaloflow.data.ShowerWriter;
import org.icaloflow.data.StageManifest;
import org.icaloflow.stage.StageRun;
import org.icaloflow.stage.StageTracking;
import org.icaloflow.track.Tags;
import org.icaloflow.train.ModelFolder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * CaloDREAM's sampling stage ({@code icaloflow dream sample}): showers from a trained energy network and shape
 * network ({@link DreamSampler}) in batches, voxels below the threshold set to 0 (as {@code icaloflow sample}: after
 * the layers were rescaled to their energies, not renormalised afterwards), written in the CaloChallenge format by
 * {@link ShowerWriter} (temporary names, renamed when complete; parts as {@code icaloflow sample}'s), a manifest
 * (OUT_STEM.manifest.json: the models' parameter files with their SHA-256, settings, counts) and a tracked run
 * (journal OUT_STEM.journal.jsonl).
 */
public final class DreamSampleStage {
    /** What the manifest says of energies drawn rather than given (as {@code icaloflow sample}). */
    static final String DRAWN_ENERGIES = "log-uniform 1 GeV - 1 TeV";

    /**
     * @param geometry       the calorimeter (the models' grid must be its); null: DS2 or DS3, as the shape network's grid says
     * @param energyModel    an energy network folder, or a {@code dream train} output folder holding model/
     * @param shapeModel     a shape network folder, or a {@code dream train} output folder holding model/
     * @param energies       incident energies (MeV), one shower each
     * @param energiesSource how they were given (the manifest); null: drawn log-uniform in 1 GeV - 1 TeV
     * @param energySteps    RK4 steps of the energy network (null: its configured 50)
     * @param shapeSteps     RK4 steps of the shape network (null: Table 2's 20)
     * @param thresholdMeV   voxels below this are set to 0
     * @param manifest       null: OUT_STEM.manifest.json
     * @param threads        PyTorch intra-op threads (0: engine default)
     * @param bespokeModel   a {@code dream train --network bespoke} folder: its BNS solver integrates the shape network
     *                       instead of RK4 (null: RK4 with shapeSteps)
     */
    public record Inputs(Geometry geometry, Path energyModel, Path shapeModel, double[] energies, String energiesSource,
                         long seed, int batch, Integer energySteps, Integer shapeSteps, Path out, double thresholdMeV,
                         Path manifest, ShowerWriter.Precision precision, long rowsPerPart, int threads, StageTracking tracking,
                         Path bespokeModel) {
        /** RK4 for the shape network. */
        public Inputs(Geometry geometry, Path energyModel, Path shapeModel, double[] energies, String energiesSource,
                      long seed, int batch, Integer energySteps, Integer shapeSteps, Path out, double thresholdMeV,
                      Path manifest, ShowerWriter.Precision precision, long rowsPerPart, int threads, StageTracking tracking) {
            this(geometry, energyModel, shapeModel, energies, energiesSource, seed, batch, energySteps, shapeSteps, out, thresholdMeV,
                    manifest, precision, rowsPerPart, threads, tracking, null);
        }
    }

    /** The shower files written and the manifest. */
    public record Result(List<Path> files, Path manifest, long nonFinite) {
    }

    private DreamSampleStage() {
    }

    /** {@code path} when it holds {@code json}, else its model/ when that does, else {@code path} (the loader names what is missing). */
    static Path modelFolder(Path path, String json) {
        if (Files.isRegularFile(path.resolve(json))) return path;
        Path m = new ModelFolder(path).model();
        return Files.isRegularFile(m.resolve(json)) ? m : path;
    }

    public static Result run(Inputs in) {
        if (!Files.isDirectory(in.energyModel())) throw new UserError("--energy-model: no such folder: " + in.energyModel());
        if (!Files.isDirectory(in.shapeModel())) throw new UserError("--shape-model: no such folder: " + in.shapeModel());
        Path eDir = modelFolder(in.energyModel(), EnergyCheckpoint.JSON_FILE), sDir = modelFolder(in.shapeModel(), ShapeCheckpoint.JSON_FILE);
        if (!Files.isRegularFile(eDir.resolve(EnergyCheckpoint.JSON_FILE)) && ShapeCheckpoint.looksLikeShapeFolder(modelFolder(eDir, ShapeCheckpoint.JSON_FILE)))
            throw new UserError("--energy-model " + in.energyModel() + " holds a shape network, not an energy network");
        if (!Files.isRegularFile(sDir.resolve(ShapeCheckpoint.JSON_FILE)) && Files.isRegularFile(modelFolder(sDir, EnergyCheckpoint.JSON_FILE).resolve(EnergyCheckpoint.JSON_FILE)))
            throw new UserError("--shape-model " + in.shapeModel() + " holds an energy network, not a shape network");
        if (in.bespokeModel() != null && !Files.isDirectory(in.bespokeModel()))
            throw new UserError("--bespoke-model: no such folder: " + in.bespokeModel());
        BespokeFile.Loaded bespoke = in.bespokeModel() == null ? null : BespokeFile.load(in.bespokeModel());
        double[] e = in.energies();
        String stem = stem(in.out());
        Path manifestPath = in.manifest() != null ? in.manifest() : in.out().resolveSibling(stem + ".manifest.json");
        Path journal = in.out().resolveSibling(stem + ".journal.jsonl");
        EngineThreads.set(in.threads());
        try (NDManager root = NDManager.newBaseManager();
             EnergyModel em = EnergyCheckpoint.load(eDir, root);
             ShapeModel sm = ShapeCheckpoint.load(sDir, root)) {
            var ss = sm.settings();
            Geometry g = in.geometry() != null ? in.geometry() : geometryOf(ss, sDir);
            if (ss.layers() != g.layers() || !g.isUniform() || ss.alphas() != g.alphaBins(0) || ss.radii() != g.radialBins(0))
                throw new UserError(sDir.resolve(ShapeCheckpoint.JSON_FILE) + ": a network for " + ss.layers() + " × " + ss.alphas() + " × "
                        + ss.radii() + " voxels, not for geometry " + g.name() + " (" + g.layers() + " layers of " + g.voxels() / g.layers() + " voxels)");
            if (em.settings().positions() != g.layers())
                throw new UserError(eDir.resolve(EnergyCheckpoint.JSON_FILE) + ": a network for " + em.settings().positions()
                        + " layers, not for geometry " + g.name() + " (" + g.layers() + ")");
            int eSteps = in.energySteps() != null ? in.energySteps() : 50;
            int sSteps = bespoke != null ? bespoke.coefficients().steps() : in.shapeSteps() != null ? in.shapeSteps() : 20;
            if (bespoke != null) {
                String sha = org.icaloflow.data.Sha256.of(sDir.resolve(ShapeCheckpoint.PARAMS_FILE));
                if (bespoke.shapeParamsSha256() != null && !bespoke.shapeParamsSha256().equals(sha))
                    System.err.println("icaloflow dream sample: warning: the BNS solver of " + in.bespokeModel()
                            + " was trained for another shape network (params.bin SHA-256 differs)");
            }
            String solver = bespoke == null ? "rk4" : "bespoke";
            DreamSampler sampler = new DreamSampler(em, sm, eSteps, sSteps, in.seed(), bespoke == null ? null : bespoke.coefficients());
            Map<String, String> tags = new LinkedHashMap<>();
            tags.put(Tags.STAGE, "dream-sample");
            tags.put(Tags.GEOMETRY, g.name());
            Map<String, Object> params = new LinkedHashMap<>();
            params.put("seed", in.seed());
            params.put("batch", in.batch());
            params.put("events", e.length);
            params.put("threshold_mev", in.thresholdMeV());
            params.put("energy_steps", eSteps);
            params.put("shape_steps", sSteps);
            params.put("shape_solver", solver);
            long t0 = System.nanoTime();
            Result res = StageRun.run(in.tracking(), "icaloflow", journal, "dream-sample", tags, params, run -> {
                long nonFinite = 0, zeros = 0;
                List<Path> files;
                try (ShowerWriter w = new ShowerWriter(in.out(), g, in.precision(), in.rowsPerPart())) {
                    for (int from = 0, k = 0; from < e.length; from += in.batch(), k++) {
                        double[] eb = Arrays.copyOfRange(e, from, Math.min(e.length, from + in.batch()));
                        DreamSampler.Batch b = sampler.generate(eb, k);
                        nonFinite += b.nonFinite();
                        float[] s = threshold(b.showersMeV(), in.thresholdMeV());
                        for (float x : s) if (x == 0f) zeros++;
                        w.append(new ShowerBatch(eb, s, g.voxels()));
                        System.err.printf(Locale.ROOT, "icaloflow dream sample: %d/%d showers%n", from + eb.length, e.length);
                    }
                    files = w.commit();
                }
                run.tracker().logMetric("showers", e.length, 0);
                run.tracker().logMetric("non_finite_outputs", nonFinite, 0);
                run.tracker().logMetric("seconds_total", (System.nanoTime() - t0) / 1e9, 0);
                StageManifest m = new StageManifest("dream-sample");
                m.addInput(eDir.resolve(EnergyCheckpoint.PARAMS_FILE));
                m.addInput(sDir.resolve(ShapeCheckpoint.PARAMS_FILE));
                m.addInput(sDir.resolve(ShapeCheckpoint.ENCODING_FILE));
                if (bespoke != null) m.addInput(in.bespokeModel().resolve(BespokeFile.JSON_FILE));
                m.put("geometry", g.name());
                m.put("models", Map.of("energy", eDir.toString(), "shape", sDir.toString()));
                Map<String, Object> settings = new LinkedHashMap<>();
                settings.put("seed", in.seed());
                settings.put("batch", in.batch());
                settings.put("threshold_mev", in.thresholdMeV());
                settings.put("energy_steps", eSteps);
                settings.put("shape_steps", sSteps);
                settings.put("solver", solver);
                if (bespoke != null) settings.put("bespoke_model", in.bespokeModel().toString());
                settings.put("energies", in.energiesSource() == null ? DRAWN_ENERGIES : in.energiesSource());
                settings.put("precision", in.precision().name().toLowerCase(Locale.ROOT));
                m.put("settings", settings);
                Map<String, Object> counts = new LinkedHashMap<>();
                counts.put("showers", e.length);
                counts.put("batches", (e.length + in.batch() - 1) / in.batch());
                counts.put("non_finite_outputs", nonFinite);
                counts.put("zero_voxel_fraction", zeros / ((double) e.length * g.voxels()));
                counts.put("seconds_total", (System.nanoTime() - t0) / 1e9);
                m.put("counts", counts);
                for (Path f : files) m.addOutput(f);
                run.manifest(m, manifestPath);
                run.artifact(manifestPath, null);
                return new Result(files, manifestPath, nonFinite);
            });
            System.err.printf(Locale.ROOT, "icaloflow dream sample: %d %s showers in %.1f s -> %s%n", e.length, g.name(),
                    (System.nanoTime() - t0) / 1e9, res.files().size() == 1 ? res.files().get(0) : res.files().size() + " parts");
            if (res.nonFinite() > 0)
                System.err.printf("icaloflow dream sample: warning: %d non-finite network outputs were set to zero energy%n", res.nonFinite());
            return res;
        }
    }

    /** DS2 or DS3, whichever has the grid of {@code s}; else a UserError asking for -g. */
    static Geometry geometryOf(org.icaloflow.cfm.ShapeNetwork.Settings s, Path dir) {
        for (Geometry g : List.of(Geometry.ds2(), Geometry.ds3())) {
            if (g.layers() == s.layers() && g.alphaBins(0) == s.alphas() && g.radialBins(0) == s.radii()) return g;
        }
        throw new UserError(dir.resolve(ShapeCheckpoint.JSON_FILE) + ": a " + s.layers() + " × " + s.alphas() + " × " + s.radii()
                + " grid is neither DS2's nor DS3's: give -g/--geometry");
    }

    /** The voxels as float, those below {@code thresholdMeV} (and non-finite ones) 0. */
    public static float[] threshold(double[] showersMeV, double thresholdMeV) {
        float[] s = new float[showersMeV.length];
        for (int i = 0; i < s.length; i++) {
            double x = showersMeV[i];
            s[i] = Double.isFinite(x) && x >= thresholdMeV ? (float) x : 0f;
        }
        return s;
    }

    static String stem(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
