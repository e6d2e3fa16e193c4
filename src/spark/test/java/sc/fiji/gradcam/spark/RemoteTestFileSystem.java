package sc.fiji.gradcam.spark;

import java.net.URI;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * A Hadoop file system with its own scheme ({@code testfs:///PATH}) over the local disk: to the job it is as remote as
 * {@code hdfs://} or {@code s3a://} (listed, read and written only through Hadoop: images copied in, outputs staged and
 * uploaded, the model copied once per JVM), without a cluster.
 */
public class RemoteTestFileSystem extends RawLocalFileSystem {

    static final String SCHEME = "testfs";

    @Override
    public URI getUri() {
        return URI.create(SCHEME + ":///");
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }
}
