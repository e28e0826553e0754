using System.Text.RegularExpressions;
using FedTrust.Core.Configuration;

namespace FedTrust.Actors.Configuration;

/// <summary>
/// Resolves the substitutions of a HOCON document (its includes read) the way Akka's parser will, before it does.
/// Akka 1.5 merges the whole file first and then resolves each <c>${path}</c>, in file order, against the result:
/// there are no self-references (<c>a = 1</c> then <c>a = ${a}</c> makes <c>a</c> refer to itself, not to 1), no
/// optional <c>${?path}</c> (it is misread as a reference to the whole file) and no environment variables.
/// A value that refers back to itself, directly, through other substitutions or through an object containing it,
/// makes Akka recurse until the process dies of a stack overflow, which .NET cannot catch. So every such cycle,
/// every substitution that cannot resolve and every form Akka misreads is refused here, naming the file, line
/// and column; everything else is left to Akka exactly as written.
/// </summary>
internal sealed partial class HoconSubstitutions
{
    private const string Scope =
        "a substitution can refer only to keys set in the same file or in the files it includes, " +
        "not to the built-in defaults, another --config file, --set or environment variables";

    private readonly Node _root = new([]);
    private readonly List<Reference> _references = [];
    private readonly Dictionary<HoconTree.Substitution, string> _rewrites = new(ReferenceEqualityComparer.Instance);

    private HoconSubstitutions()
    {
    }

    /// <summary>What Akka needs besides the text: the substitutions of included files rewritten, and where each key was set.</summary>
    public sealed record Resolution(IReadOnlyDictionary<HoconTree.Substitution, string> Rewrites, KeyOrigins Origins);

    /// <summary>
    /// Checks every substitution of <paramref name="document"/>; throws <see cref="ConfigurationException"/> at a
    /// cycle, an unresolvable substitution, an optional one or a '+=' (Akka's parser reads it as part of the key).
    /// </summary>
    public static Resolution Resolve(HoconTree.Document document)
    {
        var check = new HoconSubstitutions();
        check.Add(check._root.EnsureObject(), [], document.Root, prefix: []);
        foreach (var reference in check._references)
            reference.Target = check.Find(reference) ?? throw Unresolved(reference.Syntax);
        check.FindCycles();
        return new Resolution(check._rewrites, check.Origins());
    }

    /// <summary>
    /// Merges the fields of <paramref name="block"/> into <paramref name="members"/> (at <paramref name="at"/>) as
    /// Akka's parser does: '=' replaces a value unless the value is an object, which a new object merges into.
    /// <paramref name="prefix"/> is where the file holding the block was included (empty for the top file).
    /// </summary>
    private void Add(Dictionary<string, Node> members, IReadOnlyList<string> at, HoconTree.Block block, IReadOnlyList<string> prefix)
    {
        foreach (var entry in block.Entries)
        {
            if (entry is HoconTree.Include include)
            {
                // HOCON: an included file's keys, and the substitutions among them, are relative to where it is included.
                if (include.Content is { } content) Add(members, at, content.Root, at);
                continue;
            }
            var field = (HoconTree.Field)entry;
            if (field.Separator == "+=")
                throw new ConfigurationException(
                    $"{field.Position}: '+=' is not supported by Akka's HOCON parser (it would set a key named '{field.Path[^1]} +'); " +
                    $"write the whole value, e.g. {field.Key} = [ … ]");
            RefuseMixedDefense(field, [.. at, .. field.Path]);
            var holder = members;
            var path = at;
            foreach (var key in field.Path.SkipLast(1))
            {
                path = [.. path, key];
                holder = Child(holder, path, field.Position).EnsureObject();
            }
            path = [.. path, field.Path[^1]];
            var node = Child(holder, path, field.Position);
            node.Origin = field.Position;
            if (field.Separator == "{")
            {
                Add(node.EnsureObject(), path, (HoconTree.Block)field.Value.Parts[0], prefix);
                continue;
            }
            if (node.Object is null) node.Parts.Clear();
            foreach (var part in field.Value.Parts) Add(node, part, prefix);
        }
    }

    /// <summary>
    /// Within one file a later form of <c>fedtrust.defense</c> would replace the other silently (a name by an object's
    /// keys, or an object by a name), so mixing them there is refused; across layers (a file, then --set) they combine
    /// (<see cref="FedTrustConfig.LayerOver"/>).
    /// </summary>
    private void RefuseMixedDefense(HoconTree.Field field, IReadOnlyList<string> path)
    {
        if (path.Count < 2 || path[0] != "fedtrust" || path[1] != "defense") return;
        if (_root.Object?.GetValueOrDefault("fedtrust")?.Object?.GetValueOrDefault("defense") is not { } earlier) return;
        var asObject = path.Count > 2 || field.Separator == "{" || field.Value.Parts.FirstOrDefault() is HoconTree.Block;
        var earlierName = earlier.Object is null && earlier.Parts.Count > 0;
        var earlierObject = earlier.Object is { Count: > 0 };
        if ((asObject && earlierName) || (!asObject && earlierObject))
            throw new ConfigurationException(
                $"{field.Position}: fedtrust.defense is given both as a name and as an object's keys in one file (also at {earlier.Origin}); " +
                "write one form (e.g. defense { rule = krum, trust = on }), or give the name and the keys in separate layers (--config, then --set), where they combine");
    }

    private void Add(Node node, HoconTree.Part part, IReadOnlyList<string> prefix)
    {
        switch (part)
        {
            case HoconTree.Literal literal:
                if (node.Object is not null) node.Parts.Clear();
                node.Parts.Add(literal.Text);
                break;
            case HoconTree.Block block:
                Add(node.EnsureObject(), node.Path, block, prefix);
                break;
            case HoconTree.Sequence sequence:
                var elements = new List<Node>();
                foreach (var value in sequence.Elements)
                {
                    var element = new Node([.. node.Path.SkipLast(1), $"{node.Path.LastOrDefault()}[{elements.Count}]"]);
                    foreach (var p in value.Parts) Add(element, p, prefix);
                    elements.Add(element);
                }
                node.Parts.Add(elements);
                break;
            case HoconTree.Substitution substitution:
                if (substitution.Optional)
                    throw new ConfigurationException(
                        $"{substitution.Position}: optional substitution {substitution.Raw} is not supported by Akka's HOCON parser " +
                        "(it reads it as a reference to the whole file); set the key instead");
                if (!PlainPath().IsMatch(substitution.Path) || substitution.Path.Contains("//", StringComparison.Ordinal))
                    throw new ConfigurationException(
                        $"{substitution.Position}: substitution {substitution.Raw}: write the path plainly, e.g. ${{fedtrust.rounds}} " +
                        "(Akka's HOCON parser reads no spaces, quotes or empty parts in it)");
                var reference = new Reference(substitution, prefix);
                _references.Add(reference);
                node.Parts.Add(reference);
                break;
        }
    }

    private static Node Child(Dictionary<string, Node> members, IReadOnlyList<string> path, HoconTree.Position origin)
    {
        if (!members.TryGetValue(path[^1], out var child))
            members[path[^1]] = child = new Node(path) { Origin = origin };
        return child;
    }

    /// <summary>
    /// The value <paramref name="reference"/> refers to, as Akka finds it: substitutions resolved before it are
    /// followed, later ones are not yet. In an included file the path is first tried below where the file was included.
    /// </summary>
    private Node? Find(Reference reference)
    {
        var path = reference.Syntax.Path.Split('.');
        if (reference.Prefix.Count > 0 && reference.Prefix.All(PlainPath().IsMatch) && Navigate([.. reference.Prefix, .. path]) is { } below)
        {
            _rewrites[reference.Syntax] = "${" + string.Join('.', reference.Prefix.Concat(path)) + "}";
            return below;
        }
        return Navigate(path);
    }

    private Node? Navigate(IReadOnlyList<string> path)
    {
        var node = _root;
        foreach (var key in path)
        {
            if (ObjectOf(node, []) is not { } members || !members.TryGetValue(key, out node)) return null;
        }
        return node;
    }

    /// <summary>The object a value stands for: its own, or that of the resolved substitution it starts with.</summary>
    private Dictionary<string, Node>? ObjectOf(Node node, List<Node> through)
    {
        if (node.Object is { } members) return members;
        if (node.Parts.FirstOrDefault() is not Reference { Target: { } target }) return null;
        if (through.Contains(node)) throw Cycle([.. through[through.IndexOf(node)..], node]);
        through.Add(node);
        return ObjectOf(target, through);
    }

    /// <summary>Throws at the first value that needs itself to be read (depth-first over what each value reads).</summary>
    private void FindCycles()
    {
        var done = new HashSet<Node>();
        var path = new List<Node>();
        void Visit(Node node)
        {
            if (done.Contains(node)) return;
            var at = path.IndexOf(node);
            if (at >= 0) throw Cycle([.. path[at..], node]);
            path.Add(node);
            foreach (var next in node.Reads()) Visit(next);
            path.RemoveAt(path.Count - 1);
            done.Add(node);
        }
        Visit(_root);
    }

    /// <summary>
    /// "file:line:col: substitution cycle: a -> b -> a", at the first substitution of the cycle in file order;
    /// a step into an object's own key reads ", which contains a.b".
    /// </summary>
    private ConfigurationException Cycle(List<Node> loop)
    {
        // loop = [n0, n1, …, n0]: step i goes from loop[i] to loop[i + 1]. Start at the substitution written first.
        var steps = loop.Count - 1;
        var start = Enumerable.Range(0, steps)
            .Where(i => loop[i].ReferenceTo(loop[i + 1]) is not null)
            .MinBy(i => _references.IndexOf(loop[i].ReferenceTo(loop[i + 1])!));
        var nodes = Enumerable.Range(0, steps + 1).Select(k => loop[(start + k) % steps]).ToList();
        var text = Display(nodes[0].Path);
        for (var i = 0; i < steps; i++)
        {
            if (nodes[i].ReferenceTo(nodes[i + 1]) is not null)
            {
                text += " -> " + Display(nodes[i + 1].Path);
                continue;
            }
            while (i + 1 < steps && nodes[i + 1].ReferenceTo(nodes[i + 2]) is null) i++;
            text += ", which contains " + Display(nodes[i + 1].Path);
        }
        var hint = steps == 1
            ? " (a key cannot refer to itself, not even to a value it had earlier: Akka's HOCON has no self-references)"
            : "";
        return new ConfigurationException($"{nodes[0].ReferenceTo(nodes[1])!.Syntax.Position}: substitution cycle: {text}{hint}");
    }

    private static ConfigurationException Unresolved(HoconTree.Substitution substitution) =>
        new($"{substitution.Position}: substitution {substitution.Raw}: no key '{substitution.Path}' is set ({Scope})");

    private KeyOrigins Origins()
    {
        var origins = new Dictionary<string, HoconTree.Position>();
        void Walk(Node node)
        {
            if (node.Origin is { } origin) origins[Display(node.Path)] = origin;
            foreach (var child in node.Object?.Values ?? Enumerable.Empty<Node>()) Walk(child);
        }
        Walk(_root);
        return new KeyOrigins(origins);
    }

    /// <summary>A path as <see cref="FedTrustConfig"/> shows keys: joined by '.', a key holding a '.' in quotes.</summary>
    internal static string Display(IEnumerable<string> path) =>
        string.Join('.', path.Select(key => key.Contains('.') ? $"\"{key}\"" : key));

    /// <summary>A path Akka's tokenizer reads whole: keys of unquoted-text characters, separated by single dots.</summary>
    [GeneratedRegex("""^[^\s$"{}\[\]:=,#`^?!@*&\\.]+(\.[^\s$"{}\[\]:=,#`^?!@*&\\.]+)*$""")]
    private static partial Regex PlainPath();

    /// <summary>
    /// A value as Akka holds it (a HoconValue): its parts after every assignment — an object (first part),
    /// literals, arrays and substitutions — where it is and the field that last set it.
    /// </summary>
    private sealed class Node(IReadOnlyList<string> path)
    {
        public IReadOnlyList<string> Path { get; } = path;

        /// <summary><see cref="string"/>, <c>Dictionary&lt;string, Node&gt;</c> (object), <c>List&lt;Node&gt;</c> (array) or <see cref="Reference"/>.</summary>
        public List<object> Parts { get; } = [];

        public HoconTree.Position? Origin { get; set; }

        /// <summary>Akka takes a value for an object when its first part is one, and then ignores the other parts.</summary>
        public Dictionary<string, Node>? Object => Parts.FirstOrDefault() as Dictionary<string, Node>;

        public Dictionary<string, Node> EnsureObject()
        {
            if (Object is { } members) return members;
            Parts.Clear();
            Parts.Add(new Dictionary<string, Node>());
            return (Dictionary<string, Node>)Parts[0];
        }

        /// <summary>
        /// The values reading this one may read: an object's keys, array elements and substitution targets. Even the
        /// parts after an object count: Akka's IsArray() reads every part (so <c>a = ${a} { b = 1 }</c> overflows too).
        /// </summary>
        public IEnumerable<Node> Reads() => Parts.SelectMany(part => part switch
        {
            Dictionary<string, Node> members => members.Values,
            List<Node> elements => elements,
            Reference { Target: { } target } => [target],
            _ => Enumerable.Empty<Node>(),
        });

        public Reference? ReferenceTo(Node target) => Parts.OfType<Reference>().FirstOrDefault(r => r.Target == target);
    }

    /// <summary>A substitution as written, where its file was included (<see cref="Prefix"/>) and, once resolved, its <see cref="Target"/>.</summary>
    private sealed class Reference(HoconTree.Substitution syntax, IReadOnlyList<string> prefix)
    {
        public HoconTree.Substitution Syntax { get; } = syntax;
        public IReadOnlyList<string> Prefix { get; } = prefix;
        public Node? Target { get; set; }
    }
}
