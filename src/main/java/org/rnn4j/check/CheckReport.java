package org.rnn4j.check;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What {@link EngineCheck.Report} and {@link GradientCheck.Report} share: an immutable list of rows,
 * one per tensor, each with a name and a verdict, looked up, filtered and asserted alike. The tables
 * differ (an engine-vs-reference comparison reports norms, a finite-difference check reports its worst
 * element), so each report renders its own.
 *
 * @param <R> the row type
 */
abstract class CheckReport<R extends CheckReport.Verdict> {
    /** A row's name and verdict. */
    interface Verdict {
        /** @return the tensor's name */
        String name();

        /** @return whether the tensor passed */
        boolean passed();
    }

    private final List<R> rows;
    private final String what;

    /**
     * @param rows copied; the report's order
     * @param what names the check in {@link #assertPassed()}'s message, e.g. {@code "gradient check"}
     */
    CheckReport(List<R> rows, String what) {
        this.rows = Collections.unmodifiableList(new ArrayList<>(rows));
        this.what = what;
    }

    /** @return the rows, in report order (unmodifiable) */
    public List<R> rows() {
        return rows;
    }

    /** @return true iff every row passed */
    public boolean passed() {
        return rows.stream().allMatch(Verdict::passed);
    }

    /** @return the rows that failed (unmodifiable) */
    public List<R> failures() {
        return rows.stream().filter(r -> !r.passed()).toList();
    }

    /**
     * @param name a tensor name
     * @return its row
     * @throws IllegalArgumentException if no row has that name
     */
    public R row(String name) {
        for (R r : rows) {
            if (r.name().equals(name)) {
                return r;
            }
        }
        throw new IllegalArgumentException("name must be one of " + rows.stream().map(Verdict::name).toList()
                + ", got '" + name + "'");
    }

    /** @throws AssertionError carrying {@link #table()} if any row failed (for use in tests) */
    public void assertPassed() {
        if (!passed()) {
            throw new AssertionError(what + " failed\n" + table());
        }
    }

    /** @return the number of rows that failed */
    final long failedCount() {
        return rows.stream().filter(r -> !r.passed()).count();
    }

    /** @return a fixed-width table, one line per tensor and a summary line, lines separated by {@code \n} */
    public abstract String table();

    /** @return {@link #table()} */
    @Override
    public String toString() {
        return table();
    }
}
