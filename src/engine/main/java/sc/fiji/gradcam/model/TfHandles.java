package sc.fiji.gradcam.model;

import java.lang.reflect.Constructor;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Session;

/**
 * Views DJL's native graph and session through TF Java's {@link Graph} and {@link Session}, so that the
 * model DJL loaded (once) also serves graph extension, gradients and multi-tensor runs. DJL keeps
 * ownership: these views must never be closed (closing would free DJL's handles).
 */
final class TfHandles {

    private TfHandles() {}

    static Graph graph(TF_Graph handle) {
        try {
            Constructor<Graph> c = Graph.class.getDeclaredConstructor(TF_Graph.class);
            c.setAccessible(true);
            return c.newInstance(handle);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("This TF Java version cannot wrap a native graph: " + e, e);
        }
    }

    /**
     * Forgets a view made by {@link #graph}: TF Java registers every Graph in a static map, which would
     * otherwise keep one entry per loaded model for the life of the process (Fiji sessions load many).
     */
    static void release(Graph graph) {
        try {
            java.lang.reflect.Field all = Graph.class.getDeclaredField("ALL_GRAPHS");
            java.lang.reflect.Field id = Graph.class.getDeclaredField("nativeId");
            all.setAccessible(true);
            id.setAccessible(true);
            ((java.util.Map<?, ?>) all.get(null)).remove(id.get(graph));
        } catch (ReflectiveOperationException | RuntimeException e) {
            // another TF Java version: the entry stays, a small leak per model and nothing worse
        }
    }

    static Session session(Graph graph, TF_Session handle) {
        try {
            Constructor<Session> c = Session.class.getDeclaredConstructor(Graph.class, TF_Session.class);
            c.setAccessible(true);
            return c.newInstance(graph, handle);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("This TF Java version cannot wrap a native session: " + e, e);
        }
    }

    /** The native handle of a graph TF Java created itself (a SavedModelBundle's). */
    static TF_Graph handle(Graph graph) {
        try {
            java.lang.reflect.Field f = Graph.class.getDeclaredField("nativeHandle");
            f.setAccessible(true);
            return (TF_Graph) f.get(graph);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("This TF Java version hides a graph's native handle: " + e, e);
        }
    }
}
