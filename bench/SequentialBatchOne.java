import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.icaloflow.flow.Flow;
import org.icaloflow.flow.FlowKind;
import org.icaloflow.flow.FlowSpec;

/**
 * ms per sampling call of a MAF (the sequential direction) at small batches, DS2 Flow-1 (45 features, 1 x 256) and
 * the DS2 Flow-2 teacher (144 features, 2 x 256), 8 blocks, untrained random weights, eval mode, 1 thread.
 * java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 [-Dicaloflow.smallBatchMultiplyAdds=0] \
 *      -cp target/icaloflow.jar bench/SequentialBatchOne.java [seconds per point]
 */
public class SequentialBatchOne {
    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        System.out.println("smallBatchMultiplyAdds=" + System.getProperty("icaloflow.smallBatchMultiplyAdds", "default"));
        int[][] flows = {{45, 1, 1}, {144, 2, 2}}; // dim, condition dim, hidden layers
        for (int[] f : flows) {
            try (NDManager m = NDManager.newBaseManager();
                    Flow flow = Flow.create(new FlowSpec(FlowKind.MAF, f[0], f[1], f[2], 256, 8, 8, 14.0, 7, 1e-3, 1e-3, 1e-3), m, DataType.FLOAT32)) {
                Random r = new Random(1);
                for (NDArray p : flow.parameters()) {
                    float[] v = new float[(int) p.size()];
                    for (int i = 0; i < v.length; i++) v[i] = (float) ((2 * r.nextDouble() - 1) * 0.05);
                    p.set(v);
                }
                flow.markParametersChanged();
                flow.setEvalMode(true);
                for (int n : new int[] {1, 2, 10, 100}) {
                    float[] zv = new float[n * f[0]];
                    float[] cv = new float[n * f[1]];
                    for (int i = 0; i < zv.length; i++) zv[i] = (float) r.nextGaussian();
                    for (int i = 0; i < cv.length; i++) cv[i] = (float) r.nextGaussian();
                    long calls = 0, t0 = 0;
                    for (int phase = 0; phase < 2; phase++) {
                        long start = System.nanoTime();
                        long done = 0;
                        while (System.nanoTime() - start < (phase == 0 ? 1e9 : seconds * 1e9)) {
                            try (NDManager s = m.newSubManager()) {
                                NDArray z = s.create(zv, new Shape(n, f[0]));
                                NDArray c = s.create(cv, new Shape(n, f[1]));
                                flow.sampleFrom(z, c).toFloatArray();
                            }
                            done++;
                        }
                        calls = done;
                        t0 = System.nanoTime() - start;
                    }
                    System.out.printf("dim %d hidden %d batch %d: %.3f ms per call, %.3f ms per sample (%d calls)%n",
                            f[0], f[2], n, t0 / 1e6 / calls, t0 / 1e6 / calls / n, calls);
                }
            }
        }
    }
}
