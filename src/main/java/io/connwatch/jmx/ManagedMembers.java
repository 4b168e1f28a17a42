package io.connwatch.jmx;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import javax.management.Descriptor;
import javax.management.ImmutableDescriptor;
import javax.management.JMX;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanFeatureInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;

/**
 * The {@link Description}s of an MXBean interface, by attribute and by operation, read once by reflection. An
 * attribute is named as the MXBean rules name it: {@code getX()} or {@code isX()} is attribute {@code X}.
 */
final class ManagedMembers {
    private final Map<String, Description> attributes = new HashMap<>();
    private final Map<String, Description> operations = new HashMap<>();

    ManagedMembers(Class<?> mxbeanInterface) {
        for (Method m : mxbeanInterface.getMethods()) {
            Description d = m.getAnnotation(Description.class);
            if (d == null) {
                continue;
            }
            String attribute = attributeOf(m);
            if (attribute != null) {
                attributes.put(attribute, d);
            } else {
                operations.put(m.getName(), d);
            }
        }
    }

    /** The attribute a getter reads, or null for any other method. */
    static String attributeOf(Method m) {
        String n = m.getName();
        if (m.getParameterCount() != 0 || m.getReturnType() == void.class) {
            return null;
        }
        if (n.startsWith("get") && n.length() > 3) {
            return n.substring(3);
        }
        if (n.startsWith("is") && n.length() > 2 && m.getReturnType() == boolean.class) {
            return n.substring(2);
        }
        return null;
    }

    /** An attribute's description, or {@code fallback} when its getter has none. */
    String description(MBeanAttributeInfo a, String fallback) {
        Description d = attributes.get(a.getName());
        return d == null ? fallback : d.value();
    }

    /** An operation's description, or {@code fallback} when its method has none. */
    String description(MBeanOperationInfo op, String fallback) {
        Description d = operations.get(op.getName());
        return d == null ? fallback : d.value();
    }

    /** An operation's impact, or {@code fallback} when its method has no description. */
    int impact(MBeanOperationInfo op, int fallback) {
        Description d = operations.get(op.getName());
        return d == null ? fallback : d.impact();
    }

    /**
     * The same info with its attributes and operations in their declared order (any not declared last, by name), and
     * marked {@code immutableInfo=true}: it never changes, though the JDK assumes it might of an MBean that overrides
     * how its info is built.
     */
    MBeanInfo inOrder(MBeanInfo info) {
        MBeanAttributeInfo[] attrs = info.getAttributes().clone();
        Arrays.sort(attrs, order(attributes));
        MBeanOperationInfo[] ops = info.getOperations().clone();
        Arrays.sort(ops, order(operations));
        Descriptor d = info.getDescriptor();
        Map<String, Object> fields = new HashMap<>();
        for (String name : d.getFieldNames()) {
            fields.put(name, d.getFieldValue(name));
        }
        fields.put(JMX.IMMUTABLE_INFO_FIELD, "true");
        return new MBeanInfo(info.getClassName(), info.getDescription(), attrs, info.getConstructors(), ops,
                info.getNotifications(), new ImmutableDescriptor(fields));
    }

    private static Comparator<MBeanFeatureInfo> order(Map<String, Description> declared) {
        return Comparator.<MBeanFeatureInfo>comparingInt(f -> {
            Description d = declared.get(f.getName());
            return d == null ? Integer.MAX_VALUE : d.order();
        }).thenComparing(MBeanFeatureInfo::getName);
    }
}
