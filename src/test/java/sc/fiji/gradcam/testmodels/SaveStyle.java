package sc.fiji.gradcam.testmodels;

/** How the model graph is laid out in {@code saved_model.pb}. */
public enum SaveStyle {
    /**
     * TF1 export: every op at the top level of the GraphDef, an empty function library, resource variables
     * ({@code VarHandleOp}) read with top-level {@code ReadVariableOp}s, restored by the TF1 saver
     * ({@code save/Const}, {@code save/restore_all}).
     */
    TF1_GRAPH,
    /**
     * Keras-like TF2 export: the top level holds only the input placeholder, the {@code VarHandleOp}s, one
     * {@code StatefulPartitionedCall} (attr {@code f} = the signature wrapper function) and the saver ops.
     * The wrapper calls the model function through a nested {@code StatefulPartitionedCall}; the model function
     * receives the variables as {@code DT_RESOURCE} arguments, reads them with {@code ReadVariableOp} and holds
     * every layer op.
     */
    FUNCTION_CALL
}
