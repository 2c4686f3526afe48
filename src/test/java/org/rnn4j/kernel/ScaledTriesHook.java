package org.rnn4j.kernel;

import java.util.Optional;
import java.lang.reflect.AnnotatedElement;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyAttributes;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * Divides every jqwik property's tries by {@link VectorShapes#EMULATED_DIVISOR} when the SIMD kernels
 * run on the Vector API's Java fallback ({@link VectorShapes#emulated()}), so that the 512-bit
 * execution of the test matrix stays within the CI budget on an AVX2 machine. Native runs keep the
 * tries written on each property. Registered for every property through
 * {@code META-INF/services/net.jqwik.api.lifecycle.LifecycleHook}.
 */
public final class ScaledTriesHook implements AroundPropertyHook {
    /** jqwik's own default when a property names no tries. */
    private static final int JQWIK_DEFAULT_TRIES = 1000;

    @Override
    public PropagationMode propagateTo() {
        return PropagationMode.ALL_DESCENDANTS;
    }

    @Override
    public boolean appliesTo(Optional<AnnotatedElement> element) {
        return true;
    }

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        if (VectorShapes.emulated()) {
            PropertyAttributes attributes = context.attributes();
            attributes.setTries(VectorShapes.scaled(attributes.tries().orElse(JQWIK_DEFAULT_TRIES)));
        }
        return property.execute();
    }
}
