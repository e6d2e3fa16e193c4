package sc.fiji.gradcam.support;

/**
 * pytorch-grad-cam's {@code get_2d_projection} written out the dense way, to check {@code PrincipalProjection}
 * against: the covariance-like matrix {@code X_cᵀ X_c} of the column-centred X is formed and diagonalised by cyclic
 * Jacobi rotations; the eigenvector of the largest eigenvalue is the first principal axis v; the projection
 * {@code X_c v} is signed to correlate positively with the per-position channel sums of X.
 */
public final class DenseProjection {

    private DenseProjection() {}

    /** The signed projection of {@code x} ({@code [positions][k]} flattened position-major) on its first axis. */
    public static double[] of(double[] x, int k) {
        int positions = x.length / k;
        double[][] c = new double[positions][k];
        for (int j = 0; j < k; j++) {
            double mean = 0;
            for (int p = 0; p < positions; p++) {
                mean += x[p * k + j];
            }
            mean /= positions;
            for (int p = 0; p < positions; p++) {
                c[p][j] = x[p * k + j] - mean;
            }
        }
        double[][] gram = new double[k][k];
        for (int p = 0; p < positions; p++) {
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    gram[i][j] += c[p][i] * c[p][j];
                }
            }
        }
        double[] v = topEigenvector(gram);
        double[] projection = new double[positions];
        double[] sums = new double[positions];
        for (int p = 0; p < positions; p++) {
            for (int j = 0; j < k; j++) {
                projection[p] += c[p][j] * v[j];
                sums[p] += x[p * k + j];
            }
        }
        if (Tf.correlation(projection, sums) < 0) {
            for (int p = 0; p < positions; p++) {
                projection[p] = -projection[p];
            }
        }
        return projection;
    }

    /** The unit eigenvector of the largest eigenvalue of the symmetric {@code a} (changed in place). */
    static double[] topEigenvector(double[][] a) {
        int n = a.length;
        double[][] v = new double[n][n];
        for (int i = 0; i < n; i++) {
            v[i][i] = 1;
        }
        for (int sweep = 0; sweep < 100 && offDiagonal(a) > 1e-30 * diagonal(a); sweep++) {
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    if (a[p][q] != 0) {
                        rotate(a, v, p, q);
                    }
                }
            }
        }
        int top = 0;
        for (int i = 1; i < n; i++) {
            if (a[i][i] > a[top][top]) {
                top = i;
            }
        }
        double[] e = new double[n];
        for (int i = 0; i < n; i++) {
            e[i] = v[i][top];
        }
        return e;
    }

    /** One Jacobi rotation A ← Jᵀ A J, V ← V J that zeroes {@code a[p][q]} (Numerical Recipes' form). */
    private static void rotate(double[][] a, double[][] v, int p, int q) {
        double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        double t = Math.signum(theta == 0 ? 1 : theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        double c = 1 / Math.sqrt(t * t + 1);
        double s = t * c;
        int n = a.length;
        for (int k = 0; k < n; k++) {
            double kp = a[k][p];
            double kq = a[k][q];
            a[k][p] = c * kp - s * kq;
            a[k][q] = s * kp + c * kq;
        }
        for (int k = 0; k < n; k++) {
            double pk = a[p][k];
            double qk = a[q][k];
            a[p][k] = c * pk - s * qk;
            a[q][k] = s * pk + c * qk;
        }
        for (int k = 0; k < n; k++) {
            double kp = v[k][p];
            double kq = v[k][q];
            v[k][p] = c * kp - s * kq;
            v[k][q] = s * kp + c * kq;
        }
    }

    private static double offDiagonal(double[][] a) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a.length; j++) {
                s += i != j ? a[i][j] * a[i][j] : 0;
            }
        }
        return s;
    }

    private static double diagonal(double[][] a) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i][i] * a[i][i];
        }
        return s;
    }
}
