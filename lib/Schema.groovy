/*
 * The pipeline's parameters, described once in nextflow_schema.json (nf-core's format, JSON Schema draft
 * 2020-12: groups under $defs, joined by allOf). main.nf validates params against it before any task starts and
 * prints it for --help. The nf-schema plugin is not reachable offline, so this reads the same file by itself;
 * it understands the keywords the file uses: type (or a list of types), enum, pattern, minimum, format
 * file-path with exists.
 */
class Schema {

    /** The groups of the schema in file order: [title, description, [name: property]]. */
    static List<Map> groups(File schemaFile) {
        def s = new groovy.json.JsonSlurper().parse(schemaFile)
        def defs = (s['$defs'] ?: [:]) as Map
        def order = (s.allOf ?: []).collect { it['$ref'].toString().tokenize('/').last() }
        def names = order + (defs.keySet() - order)
        def out = names.collect { n -> [title: defs[n].title ?: n, description: defs[n].description ?: '', properties: defs[n].properties ?: [:]] }
        if (s.properties) out << [title: 'Other', description: '', properties: s.properties]
        return out
    }

    /** Every described parameter by name. */
    static Map<String, Map> properties(File schemaFile) {
        def all = [:]
        groups(schemaFile).each { all.putAll(it.properties) }
        return all
    }

    /**
     * The problems of these params, one line each ("Invalid --name 'value': ..." or "Unknown parameter(s): ...");
     * empty when they are valid. Keys containing '-' are Nextflow's kebab-case twins of the same parameter;
     * {@code internal} names are set by main.nf itself.
     */
    static List<String> validate(Map params, File schemaFile, Collection<String> internal = []) {
        def props = properties(schemaFile)
        def errors = []
        def unknown = params.keySet().findAll { k -> !(k in props) && !(k in internal) && !k.toString().contains('-') }
        if (unknown) {
            errors << "Unknown parameter(s): ${unknown.collect { '--' + it }.join(', ')}. Known: ${props.keySet().collect { '--' + it }.join(', ')} (--help describes them)"
        }
        props.each { String name, Map p ->
            def v = params[name]
            if (v == null) return
            def types = p.type instanceof List ? p.type : [p.type]
            def type = types.find { t -> matches(v, t) }
            if (p.type && type == null) {
                errors << "Invalid --${name} '${v}': ${types.join(' or ')} expected"
                return
            }
            if (p.enum && !(v.toString() in p.enum*.toString())) {
                errors << "Invalid --${name} '${v}': use ${p.enum.join(' or ')}"
            } else if (p.pattern && type != 'boolean' && !(v.toString() ==~ p.pattern)) {
                errors << "Invalid --${name} '${v}': must match ${p.pattern}"
            } else if (p.minimum != null && v instanceof Number && v < p.minimum) {
                errors << "Invalid --${name} '${v}': at least ${p.minimum}"
            } else if (p.format == 'file-path' && p.exists && type == 'string' && !new File(v.toString()).exists()) {
                errors << "Invalid --${name} '${v}': file not found"
            }
        }
        return errors
    }

    private static boolean matches(def v, def type) {
        switch (type) {
            case 'integer': return v instanceof Integer || v instanceof Long || v instanceof BigInteger
            case 'number': return v instanceof Number
            case 'boolean': return v instanceof Boolean
            case 'string': return v instanceof CharSequence
            case null: return true
            default: return false
        }
    }

    /** The --help text: usage, then each group's non-hidden parameters with type, description and default. */
    static String help(File schemaFile, String command) {
        def sb = new StringBuilder()
        def s = new groovy.json.JsonSlurper().parse(schemaFile)
        sb << "${s.title}\n${s.description}\n\nUsage:\n  ${command}\n"
        groups(schemaFile).each { g ->
            def visible = g.properties.findAll { k, p -> !p.hidden }
            if (!visible) return
            sb << "\n${g.title}${g.description ? ': ' + g.description : ''}\n"
            visible.each { String name, Map p ->
                def type = p.type instanceof List ? p.type.join('|') : p.type
                def extra = p.enum ? " (${p.enum.join('|')})" : ''
                def dflt = p.containsKey('default') ? " [default: ${p.default}]" : ''
                sb << "  --${name.padRight(20)} ${('[' + type + ']').padRight(18)} ${p.description}${extra}${dflt}\n"
            }
        }
        sb << "\nProfiles: test (default quick start), ds2, ds3, fidelity, slurm, gpu, docker, apptainer (README.md).\n"
        return sb.toString()
    }
}
