using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace FedTrust.Cli.Tests.Architecture;

/// <summary>
/// Which namespaces of one compiled assembly use which others of the same assembly, read from its metadata: a type
/// uses the types of its base type, interfaces, fields, properties, method signatures, locals, generic constraints,
/// attributes and every type, method or field token in its methods' IL. A nested type (compiler-generated closures
/// and state machines too) counts as its outermost type; types outside FedTrust.* (anonymous types) are left out.
/// </summary>
internal sealed class NamespaceGraph
{
    /// <summary>namespace → used namespace → one example, "A.T uses B.U" (the ordinally first such pair of types).</summary>
    public IReadOnlyDictionary<string, SortedDictionary<string, string>> Edges { get; }

    public IReadOnlyCollection<string> Namespaces { get; }

    private NamespaceGraph(Dictionary<string, SortedDictionary<string, string>> edges, SortedSet<string> namespaces)
    {
        Edges = edges;
        Namespaces = namespaces;
    }

    public bool Uses(string from, string to) => Edges.TryGetValue(from, out var targets) && targets.ContainsKey(to);

    public static NamespaceGraph Read(string assemblyPath)
    {
        using var pe = new PEReader(File.OpenRead(assemblyPath));
        var md = pe.GetMetadataReader();
        var edges = new Dictionary<string, SortedDictionary<string, string>>(StringComparer.Ordinal);
        var namespaces = new SortedSet<string>(StringComparer.Ordinal);

        foreach (var handle in md.TypeDefinitions)
        {
            var user = Outermost(md, handle);
            var userNs = md.GetString(md.GetTypeDefinition(user).Namespace);
            if (!userNs.StartsWith("FedTrust", StringComparison.Ordinal)) continue;
            namespaces.Add(userNs);
            foreach (var used in UsedTypes(md, pe, handle))
            {
                var target = Outermost(md, used);
                var targetNs = md.GetString(md.GetTypeDefinition(target).Namespace);
                if (targetNs == userNs || !targetNs.StartsWith("FedTrust", StringComparison.Ordinal)) continue;
                if (!edges.TryGetValue(userNs, out var targets)) edges[userNs] = targets = new(StringComparer.Ordinal);
                var example = $"{FullName(md, user)} uses {FullName(md, target)}";
                if (!targets.TryGetValue(targetNs, out var known) || string.CompareOrdinal(example, known) < 0) targets[targetNs] = example;
            }
        }
        return new NamespaceGraph(edges, namespaces);
    }

    /// <summary>Strongly connected components of more than one namespace (each a set of namespaces on a cycle), by Tarjan's algorithm.</summary>
    public IReadOnlyList<SortedSet<string>> Cycles()
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<SortedSet<string>>();
        var next = 0;

        void Visit(string v)
        {
            index[v] = low[v] = next++;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in Edges.TryGetValue(v, out var t) ? t.Keys : Enumerable.Empty<string>())
            {
                if (!index.ContainsKey(w)) { Visit(w); low[v] = Math.Min(low[v], low[w]); }
                else if (onStack.Contains(w)) low[v] = Math.Min(low[v], index[w]);
            }
            if (low[v] != index[v]) return;
            var component = new SortedSet<string>(StringComparer.Ordinal);
            string x;
            do { x = stack.Pop(); onStack.Remove(x); component.Add(x); } while (x != v);
            if (component.Count > 1) result.Add(component);
        }

        foreach (var v in Namespaces) if (!index.ContainsKey(v)) Visit(v);
        return result;
    }

    /// <summary>The shortest path from <paramref name="from"/> to <paramref name="to"/> (both included), or null.</summary>
    public IReadOnlyList<string>? Path(string from, string to)
    {
        var previous = new Dictionary<string, string>(StringComparer.Ordinal) { [from] = from };
        var queue = new Queue<string>([from]);
        while (queue.Count > 0)
        {
            var v = queue.Dequeue();
            if (v == to)
            {
                var path = new List<string> { to };
                while (path[^1] != from) path.Add(previous[path[^1]]);
                path.Reverse();
                return path;
            }
            foreach (var w in Edges.TryGetValue(v, out var t) ? t.Keys : Enumerable.Empty<string>())
                if (previous.TryAdd(w, v)) queue.Enqueue(w);
        }
        return null;
    }

    private static TypeDefinitionHandle Outermost(MetadataReader md, TypeDefinitionHandle handle)
    {
        while (true)
        {
            var declaring = md.GetTypeDefinition(handle).GetDeclaringType();
            if (declaring.IsNil) return handle;
            handle = declaring;
        }
    }

    private static string FullName(MetadataReader md, TypeDefinitionHandle handle)
    {
        var type = md.GetTypeDefinition(handle);
        var name = md.GetString(type.Name);
        var tick = name.IndexOf('`');
        return $"{md.GetString(type.Namespace)}.{(tick >= 0 ? name[..tick] : name)}";
    }

    private static HashSet<TypeDefinitionHandle> UsedTypes(MetadataReader md, PEReader pe, TypeDefinitionHandle handle)
    {
        var collector = new Collector();
        var type = md.GetTypeDefinition(handle);

        void Entity(EntityHandle e)
        {
            if (e.IsNil) return;
            switch (e.Kind)
            {
                case HandleKind.TypeDefinition:
                    collector.Found.Add((TypeDefinitionHandle)e);
                    break;
                case HandleKind.TypeSpecification:
                    md.GetTypeSpecification((TypeSpecificationHandle)e).DecodeSignature(collector, null);
                    break;
                case HandleKind.MethodDefinition:
                    collector.Found.Add(md.GetMethodDefinition((MethodDefinitionHandle)e).GetDeclaringType());
                    break;
                case HandleKind.FieldDefinition:
                    collector.Found.Add(md.GetFieldDefinition((FieldDefinitionHandle)e).GetDeclaringType());
                    break;
                case HandleKind.MemberReference:
                    var member = md.GetMemberReference((MemberReferenceHandle)e);
                    Entity(member.Parent);
                    if (member.GetKind() == MemberReferenceKind.Method) member.DecodeMethodSignature(collector, null);
                    else member.DecodeFieldSignature(collector, null);
                    break;
                case HandleKind.MethodSpecification:
                    var spec = md.GetMethodSpecification((MethodSpecificationHandle)e);
                    Entity(spec.Method);
                    spec.DecodeSignature(collector, null);
                    break;
                case HandleKind.StandaloneSignature:
                    var sig = md.GetStandaloneSignature((StandaloneSignatureHandle)e);
                    if (sig.GetKind() == StandaloneSignatureKind.Method) sig.DecodeMethodSignature(collector, null);
                    else sig.DecodeLocalSignature(collector, null);
                    break;
            }
        }

        void Attributes(CustomAttributeHandleCollection attributes)
        {
            foreach (var a in attributes) Entity(md.GetCustomAttribute(a).Constructor);
        }

        void Constraints(GenericParameterHandleCollection parameters)
        {
            foreach (var p in parameters)
                foreach (var c in md.GetGenericParameter(p).GetConstraints())
                    Entity(md.GetGenericParameterConstraint(c).Type);
        }

        Entity(type.BaseType);
        foreach (var i in type.GetInterfaceImplementations()) Entity(md.GetInterfaceImplementation(i).Interface);
        Attributes(type.GetCustomAttributes());
        Constraints(type.GetGenericParameters());
        foreach (var f in type.GetFields())
        {
            var field = md.GetFieldDefinition(f);
            field.DecodeSignature(collector, null);
            Attributes(field.GetCustomAttributes());
        }
        foreach (var p in type.GetProperties())
        {
            var property = md.GetPropertyDefinition(p);
            property.DecodeSignature(collector, null);
            Attributes(property.GetCustomAttributes());
        }
        foreach (var m in type.GetMethods())
        {
            var method = md.GetMethodDefinition(m);
            method.DecodeSignature(collector, null);
            Attributes(method.GetCustomAttributes());
            Constraints(method.GetGenericParameters());
            foreach (var p in method.GetParameters()) Attributes(md.GetParameter(p).GetCustomAttributes());
            if (method.RelativeVirtualAddress == 0) continue;
            var body = pe.GetMethodBody(method.RelativeVirtualAddress);
            if (!body.LocalSignature.IsNil) Entity(body.LocalSignature);
            foreach (var region in body.ExceptionRegions) Entity(region.CatchType);
            foreach (var token in Tokens(body.GetILBytes()!)) Entity(MetadataTokens.EntityHandle(token));
        }
        collector.Found.Remove(handle);
        return collector.Found;
    }

    /// <summary>Operand sizes of every IL opcode, from System.Reflection.Emit.OpCodes.</summary>
    private static readonly Dictionary<short, OperandType> Operands = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .GroupBy(o => o.Value)
        .ToDictionary(g => g.Key, g => g.First().OperandType);

    /// <summary>The metadata tokens (types, methods, fields, signatures) the IL refers to.</summary>
    private static IEnumerable<int> Tokens(byte[] il)
    {
        var at = 0;
        while (at < il.Length)
        {
            short code = il[at++];
            if (code == 0xFE) code = unchecked((short)(0xFE00 | il[at++]));
            var operand = Operands.TryGetValue(code, out var known) ? known : throw new InvalidDataException($"unknown IL opcode 0x{code:X4} at {at}");
            switch (operand)
            {
                case OperandType.InlineNone: break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar: at += 1; break;
                case OperandType.InlineVar: at += 2; break;
                case OperandType.InlineI8 or OperandType.InlineR: at += 8; break;
                case OperandType.InlineSwitch: at += 4 + 4 * BitConverter.ToInt32(il, at); break;
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType or OperandType.InlineSig:
                    yield return BitConverter.ToInt32(il, at);
                    at += 4;
                    break;
                default: at += 4; break; // InlineBrTarget, InlineI, InlineString, ShortInlineR
            }
        }
    }

    /// <summary>Collects the type definitions a signature mentions.</summary>
    private sealed class Collector : ISignatureTypeProvider<int, object?>
    {
        public HashSet<TypeDefinitionHandle> Found { get; } = [];

        public int GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) { Found.Add(handle); return 0; }
        public int GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => 0;
        public int GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);
        public int GetArrayType(int elementType, ArrayShape shape) => 0;
        public int GetByReferenceType(int elementType) => 0;
        public int GetFunctionPointerType(MethodSignature<int> signature) => 0;
        public int GetGenericInstantiation(int genericType, ImmutableArray<int> typeArguments) => 0;
        public int GetGenericMethodParameter(object? genericContext, int index) => 0;
        public int GetGenericTypeParameter(object? genericContext, int index) => 0;
        public int GetModifiedType(int modifier, int unmodifiedType, bool isRequired) => 0;
        public int GetPinnedType(int elementType) => 0;
        public int GetPointerType(int elementType) => 0;
        public int GetPrimitiveType(PrimitiveTypeCode typeCode) => 0;
        public int GetSZArrayType(int elementType) => 0;
    }
}
