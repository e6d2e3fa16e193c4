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
    FUNCTION_CALL,
    /**
     * Keras 3 {@code model.export()} layout: two signatures, {@code serve} and {@code serving_default}, each with
     * its own input placeholder ({@code serve_keras_tensor}, {@code serving_default_keras_tensor}), input key
     * {@code keras_tensor}, output key {@code output_0}, and its own top-level {@code StatefulPartitionedCall}
     * (in key order: {@code serve} → {@code StatefulPartitionedCall}, {@code serving_default} →
     * {@code StatefulPartitionedCall_1}) sharing the {@code VarHandleOp}s. Each calls its signature wrapper, which
     * calls the one traced endpoint {@code __inference_serve_*} through a nested {@code StatefulPartitionedCall}.
     * Its ops are all under {@code functional_1/}; convs are {@code functional_1/conv2d_N/convolution} (Conv2D)
     * with the bias as {@code AddV2(convolution, Reshape(ReadVariableOp))} named {@code …/add}, no BiasAdd; dense
     * biases are {@code AddV2} ({@code …/dense/Add}). The folder also holds a {@code fingerprint.pb}
     * ({@code tensorflow.FingerprintDef}) as TF ≥ 2.9 writes. The variables are restored like TF2 saves them: a
     * {@code saver_filename} placeholder, {@code StatefulPartitionedCall_2} (save function) and
     * {@code StatefulPartitionedCall_3} (restore function, the SaverDef's restore op), checkpoint keys
     * {@code variables/i/.ATTRIBUTES/VARIABLE_VALUE}; not reproduced: the {@code _CHECKPOINTABLE_OBJECT_GRAPH}
     * entry and the SavedObjectGraph (the C API loader uses neither).
     */
    KERAS3_EXPORT
}
