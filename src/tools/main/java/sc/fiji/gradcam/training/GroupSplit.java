package sc.fiji.gradcam.training;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Deterministic train/validation split by group (slide prefix): the sorted groups are shuffled with
 * a fixed seed and the first {@code fraction} of them are held out. No group is on both sides.
 */
public final class GroupSplit {

    private GroupSplit() {}

    /** The held-out groups. */
    public static Set<String> heldOutGroups(Set<String> groups, double fraction, long seed) {
        return foldGroups(groups, fraction, seed, 0);
    }

    /**
     * Fold {@code fold} (0-based) of a cross-validation over groups: the sorted groups are shuffled with
     * {@code seed} and cut into consecutive slices of {@code round(n * fraction)} groups; fold 0 is
     * {@link #heldOutGroups}. Different folds never share a group.
     */
    public static Set<String> foldGroups(Set<String> groups, double fraction, long seed, int fold) {
        List<String> sorted = new ArrayList<>(new TreeSet<>(groups));
        Collections.shuffle(sorted, new Random(seed));
        int n = (int) Math.round(sorted.size() * fraction);
        if (fold < 0 || (long) (fold + 1) * n > sorted.size()) {
            throw new IllegalArgumentException("fold " + fold + " does not exist: " + sorted.size() + " groups give "
                    + (n == 0 ? 0 : sorted.size() / n) + " folds of " + n);
        }
        return new TreeSet<>(sorted.subList(fold * n, (fold + 1) * n));
    }

    /** Items whose group is (or is not) in {@code groups}, in their original order. */
    public static <T> List<T> select(List<T> items, Function<T, String> groupOf, Set<String> groups, boolean inside) {
        List<T> out = new ArrayList<>();
        for (T item : items) {
            if (groups.contains(groupOf.apply(item)) == inside) {
                out.add(item);
            }
        }
        return out;
    }
}
