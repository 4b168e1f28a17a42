import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Writes jmc-templates/connwatch.jfc: the JDK's default.jfc with connwatch's events and controls merged in, as one
 * configuration that JMC's Flight Recording Template Manager accepts (JMC's schema wants all events first and then
 * at most one control element; 'jfr configure' with two inputs writes two control elements, which JMC refuses).
 *
 * <pre>
 * java jmc-templates/MergeJfc.java jfr-configs/connwatch.jfc jmc-templates/connwatch.jfc [default.jfc]
 * </pre>
 *
 * Without the third argument it reads $JAVA_HOME/lib/jfr/default.jfc of the JDK that runs it (use a JDK 17).
 * The texts are spliced, so both files keep their layout and comments; the result is then parsed and checked:
 * no event or control defined twice, every connwatch control named connwatch-*.
 */
public class MergeJfc {
    private static final String LABEL = "connwatch (default + connwatch)";
    private static final String DESCRIPTION = "The JDK's default settings (low overhead, safe for continuous use)"
            + " plus connwatch's events: accumulations, spikes, cleanups, diagnostic captures, statistics and"
            + " pattern tallies; per-connection events at the detailed level";

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: java MergeJfc.java <connwatch.jfc> <output.jfc> [default.jfc]");
            System.exit(2);
        }
        Path connwatch = Path.of(args[0]);
        Path output = Path.of(args[1]);
        Path jdkDefault = args.length == 3 ? Path.of(args[2])
                : Path.of(System.getProperty("java.home"), "lib", "jfr", "default.jfc");
        String d = Files.readString(jdkDefault, StandardCharsets.UTF_8);
        String c = Files.readString(connwatch, StandardCharsets.UTF_8);

        String events = indent(lines(c, c.indexOf("  <event "), c.lastIndexOf("</event>") + "</event>".length()));
        int cControl = c.indexOf("<control>") + "<control>".length();
        String controls = indent(lines(c, c.indexOf('\n', cControl) + 1, c.lastIndexOf('\n', c.indexOf("</control>"))));

        String version = Runtime.version().toString();
        String header = "<!--\n"
                + "  " + LABEL + ": the JDK's default settings plus connwatch's events and options, for\n"
                + "  JDK Mission Control's Flight Recording Template Manager.\n"
                + "\n"
                + "  Import: Window > Flight Recording Template Manager > Import Files..., pick this file. Edit shows\n"
                + "  'connwatch Events' (Off, Normal, Detailed) and 'connwatch Statistics Period' beside the JDK's options.\n"
                + "  Also usable without JMC: jcmd <pid> JFR.start settings=jmc-templates/connwatch.jfc connwatch-level=detailed\n"
                + "\n"
                + "  Generated, do not edit: the default.jfc of JDK " + version + " with the events of\n"
                + "  jfr-configs/connwatch.jfc appended after its events and connwatch's controls appended inside its\n"
                + "  one control element (JMC's schema: all events, then at most one control). Regenerate with\n"
                + "    java jmc-templates/MergeJfc.java jfr-configs/connwatch.jfc jmc-templates/connwatch.jfc\n"
                + "  run by a JDK 17.\n"
                + "-->\n";

        // default.jfc: xml declaration, a comment, <configuration ...>, events, a comment, <control>...</control>
        int rootStart = d.indexOf("<configuration");
        int rootEnd = d.indexOf('>', rootStart) + 1;
        String root = "<configuration version=\"2.0\" label=\"" + LABEL + "\" description=\"" + DESCRIPTION
                + "\" provider=\"connwatch\">";
        int lastEvent = d.indexOf('\n', d.lastIndexOf("</event>")) + 1;
        int controlEnd = d.lastIndexOf('\n', d.lastIndexOf("</control>")) + 1;
        String merged = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + header + "\n" + root
                + d.substring(rootEnd, lastEvent).stripTrailing()
                + "\n\n    <!-- connwatch, from jfr-configs/connwatch.jfc -->\n\n" + events + "\n"
                + d.substring(lastEvent, controlEnd).replaceFirst("^\\s*\\n", "").stripTrailing()
                + "\n\n      <!-- connwatch, from jfr-configs/connwatch.jfc -->\n\n" + controls + "\n"
                + d.substring(controlEnd);

        for (String jdkControl : new String[] {"name=\"connwatch-"}) {
            if (d.contains(jdkControl)) {
                throw new IllegalStateException("default.jfc already names something connwatch-*");
            }
        }
        check(merged, c);
        Files.writeString(output, merged, StandardCharsets.UTF_8);
        System.out.println("wrote " + output);
    }

    private static String lines(String text, int from, int to) {
        int start = text.lastIndexOf('\n', from) + 1;
        return text.substring(start, to);
    }

    /** connwatch.jfc indents by two spaces less than default.jfc. */
    private static String indent(String block) {
        StringBuilder b = new StringBuilder();
        for (String line : block.split("\n", -1)) {
            b.append(line.isBlank() ? "" : "  " + line).append('\n');
        }
        return b.toString().stripTrailing() + "\n";
    }

    private static void check(String merged, String connwatch) throws Exception {
        Element root = parse(merged);
        Element source = parse(connwatch);
        Set<String> events = new HashSet<>();
        for (Element e : children(root, "event")) {
            if (!events.add(e.getAttribute("name"))) {
                throw new IllegalStateException("event defined twice: " + e.getAttribute("name"));
            }
        }
        for (Element e : children(source, "event")) {
            if (!events.contains(e.getAttribute("name"))) {
                throw new IllegalStateException("missing event " + e.getAttribute("name"));
            }
        }
        List<Element> controlElements = children(root, "control");
        if (controlElements.size() != 1) {
            throw new IllegalStateException(controlElements.size() + " control elements");
        }
        Set<String> controls = new HashSet<>();
        for (Element e : children(controlElements.get(0), null)) {
            if (!e.getTagName().equals("condition") && !controls.add(e.getAttribute("name"))) {
                throw new IllegalStateException("control defined twice: " + e.getAttribute("name"));
            }
        }
        for (Element e : children(children(source, "control").get(0), null)) {
            if (!e.getAttribute("name").startsWith("connwatch-")) {
                throw new IllegalStateException("connwatch control not named connwatch-*: " + e.getAttribute("name"));
            }
        }
    }

    private static Element parse(String xml) throws Exception {
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        return doc.getDocumentElement();
    }

    private static List<Element> children(Element parent, String tag) {
        List<Element> result = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            Node n = nodes.item(i);
            if (n instanceof Element && (tag == null || ((Element) n).getTagName().equals(tag))) {
                result.add((Element) n);
            }
        }
        return result;
    }
}
