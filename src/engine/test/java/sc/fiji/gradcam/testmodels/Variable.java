package sc.fiji.gradcam.testmodels;

/** A model weight: checkpoint/VarHandleOp name, shape and seeded initial values (row-major). */
final class Variable {
    final String name;
    final long[] shape;
    final double[] values;

    Variable(String name, long[] shape, double[] values) {
        this.name = name;
        this.shape = shape;
        this.values = values;
    }
}
