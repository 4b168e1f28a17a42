package io.connwatch.jmx;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import javax.management.MBeanOperationInfo;

/**
 * What JConsole, VisualVM and JMC show for one attribute or operation of {@link ConnectionMonitorMXBean}, written on
 * its method and read when the MBean's info is built: the description, the place in the MBean's lists (the
 * reflection order of methods differs from one JVM to the next) and, for an operation, its impact. An attribute's is
 * on its getter.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Description {
    /** The description shown. */
    String value();

    /** The place among the attributes, or among the operations: lowest first. */
    int order();

    /**
     * An operation's impact: {@link MBeanOperationInfo#ACTION} (the default), {@code INFO}, {@code ACTION_INFO} or
     * {@code UNKNOWN}. Not used on a getter.
     */
    int impact() default MBeanOperationInfo.ACTION;
}
