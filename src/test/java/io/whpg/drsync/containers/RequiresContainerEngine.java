package io.whpg.drsync.containers;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class that needs a container engine: skipped with a one-line reason when none is
 * reachable, failed instead when CI=true or WHPG_REQUIRE_CONTAINERS=1 (see {@link ContainerEngineCondition}).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(ContainerEngineCondition.class)
public @interface RequiresContainerEngine {
}
