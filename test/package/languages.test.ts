/**
 * The Python, Java, .NET and Go bindings: scripts/jsii-languages.mjs (`jsii-pacmak --code-only`) generates them from
 * the built assembly, and each carries the public API under its idiomatic names, none renamed around a reserved word.
 * Code generation only: no language toolchain or network is needed (or used).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.join(__dirname, '..', '..');
// What pacmak reads: the targets and types of the built assembly (package.json's `jsii` section, as of the last build).
const assembly = JSON.parse(fs.readFileSync(path.join(root, '.jsii'), 'utf8'));
const targets = assembly.targets;
// pacmak's own case conversions (jsii-pacmak depends on codemaker), so that only reserved-word renames differ.
const codemaker: { toSnakeCase(s: string): string; toPascalCase(s: string): string } =
  require(require.resolve('codemaker', { paths: [path.dirname(require.resolve('jsii-pacmak/package.json'))] }));
const snake = (name: string) => codemaker.toSnakeCase(name);
const pascal = (name: string) => codemaker.toPascalCase(name);

interface JsiiMember { name: string; static?: boolean }
interface JsiiType {
  kind: 'class' | 'interface' | 'enum';
  name: string;
  datatype?: boolean;
  properties?: JsiiMember[];
  methods?: JsiiMember[];
  members?: JsiiMember[];
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('generated language bindings', () => {
  let out: string;
  let types: JsiiType[];
  let dirs: { python: string; java: string; dotnet: string; go: string };
  const read = (file: string) => fs.readFileSync(file, 'utf8');

  beforeAll(() => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'secure-api-languages-'));
    const run = spawnSync(process.execPath, [path.join(root, 'scripts', 'jsii-languages.mjs'), out],
      { cwd: root, encoding: 'utf8' });
    if (run.status !== 0) {
      throw new Error(`node scripts/jsii-languages.mjs failed (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
    }
    types = Object.entries(assembly.types as Record<string, JsiiType>)
      .filter(([fqn]) => fqn.startsWith(`${assembly.name}.`))
      .map(([, type]) => type);
    const goDirs = fs.readdirSync(path.join(out, 'go')).filter((d) => fs.existsSync(path.join(out, 'go', d, 'go.mod')));
    expect(goDirs).toHaveLength(1);
    dirs = {
      python: path.join(out, 'python', 'src', targets.python.module),
      java: path.join(out, 'java', 'src', 'main', 'java', ...targets.java.package.split('.')),
      dotnet: path.join(out, 'dotnet', targets.dotnet.packageId, ...targets.dotnet.namespace.split('.')),
      go: path.join(out, 'go', goDirs[0]),
    };
  }, 180_000);
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  test('each language embeds the npm tarball its jsii runtime loads', () => {
    const tarballs = (dir: string): string[] => fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.tgz'));
    for (const language of ['python', 'java', 'dotnet', 'go']) {
      expect([language, tarballs(path.join(out, language)).map((f) => path.basename(f))])
        .toEqual([language, [expect.stringMatching(new RegExp(`^${escape(assembly.name)}[-@]${escape(assembly.version)}(\\.jsii)?\\.tgz$`))]]);
    }
    // The built package as npm packs it, prebuilt authorizer included (the runtime cannot bundle anything).
    const python = path.join(out, 'python', tarballs(path.join(out, 'python'))[0]);
    const entries = spawnSync('tar', ['-tzf', python], { encoding: 'utf8' }).stdout.split('\n');
    expect(entries).toEqual(expect.arrayContaining(['package/.jsii', 'package/lib/index.js', 'package/assets/authorizer/index.js']));
  });

  test('Python: the module declares the main API under snake_case names', () => {
    const module = read(path.join(dirs.python, '__init__.py'));
    for (const pattern of [
      /^class SecureApi\(\n\s+_constructs_\w+\.Construct,/m,
      /^class SecureApiProps:/m,
      /^class ClaimCondition\(metaclass=jsii\.JSIIMeta/m,
      /@builtins\.classmethod\n\s+def equal_to\(cls, claim: builtins\.str, value: builtins\.str\) -> "ClaimCondition":/,
      /@builtins\.classmethod\n\s+def one_of\(\n\s+cls,\n\s+claim: builtins\.str,\n\s+values: typing\.Sequence\[builtins\.str\],/,
      /@builtins\.classmethod\n\s+def includes\(cls, claim: builtins\.str, value: builtins\.str\) -> "ClaimCondition":/,
      /^class ScopeMatch\(enum\.Enum\):/m,
      /^class TableDataEvents\(enum\.Enum\):/m,
      /^\s+public_access: typing\.Optional\[builtins\.bool\] = None,$/m,
      /"public_access": "publicAccess"/,
    ]) {
      expect(module).toMatch(pattern);
    }
  });

  test('Python: the generated module is valid Python', () => {
    const check = spawnSync('python3', ['-c', 'import ast, sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])',
      path.join(dirs.python, '__init__.py')], { encoding: 'utf8' });
    expect(check.error).toBeUndefined();
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  test('Java: classes, builders, getters and enums of the main API', () => {
    const java = (type: string) => read(path.join(dirs.java, `${type}.java`));
    expect(java('SecureApi')).toMatch(/^public class SecureApi extends software\.constructs\.Construct \{/m);
    expect(java('SecureApi')).toMatch(/public static Builder create\(final software\.constructs\.Construct scope, final java\.lang\.String id\)/);
    expect(java('SecureApiProps')).toMatch(/^public interface SecureApiProps extends software\.amazon\.jsii\.JsiiSerializable \{/m);
    for (const factory of ['equalTo', 'oneOf', 'includes']) {
      expect(java('ClaimCondition')).toMatch(new RegExp(`public static @org\\.jetbrains\\.annotations\\.NotNull ${escape(targets.java.package)}\\.ClaimCondition ${factory}\\(`));
    }
    expect(java('ScopeMatch')).toMatch(/^public enum ScopeMatch \{/m);
    expect(java('TableDataEvents')).toMatch(/^public enum TableDataEvents \{/m);
    expect(java('RouteAccessOptions')).toMatch(/java\.lang\.Boolean getPublicAccess\(\)/);
    expect(java('SecureRouteOptions')).toMatch(/public Builder publicAccess\(java\.lang\.Boolean publicAccess\)/);
  });

  test('.NET: classes, interfaces, properties and enums of the main API', () => {
    const cs = (type: string) => read(path.join(dirs.dotnet, `${type}.cs`));
    const ns = escape(targets.dotnet.namespace);
    expect(cs('SecureApi')).toMatch(/public class SecureApi : Constructs\.Construct\n/);
    expect(cs('ISecureApiProps')).toMatch(/public interface ISecureApiProps\n/);
    expect(cs('SecureApiProps')).toMatch(new RegExp(`public class SecureApiProps : ${ns}\\.ISecureApiProps\\n`));
    for (const factory of ['EqualTo', 'OneOf', 'Includes']) {
      expect(cs('ClaimCondition')).toMatch(new RegExp(`public static ${ns}\\.ClaimCondition ${factory}\\(string claim, `));
    }
    expect(cs('ScopeMatch')).toMatch(/public enum ScopeMatch\n/);
    expect(cs('TableDataEvents')).toMatch(/public enum TableDataEvents\n/);
    expect(cs('SecureRouteOptions')).toMatch(/public bool\? PublicAccess\n/);
  });

  test('.NET: no segment of the namespace is also the name of an exported type', () => {
    // C# resolves the first part of `SecureApi.Cdk.ISecureApiProps` to the type SecureApi.Cdk.SecureApi inside the
    // namespace (error CS0426 in every generated file), and `new SecureApi(…)` in a caller's code to the namespace
    // SecureApi (CS0118). The .NET guideline: do not give a namespace and a type the same name.
    const typeNames = new Set(types.map((t) => t.name));
    const clashes = targets.dotnet.namespace.split('.').filter((segment: string) => typeNames.has(segment));
    expect(clashes).toEqual([]);
  });

  test('Go: interfaces, constructors, structs, static factories and enum constants of the main API', () => {
    const go = (type: string) => read(path.join(dirs.go, `${type}.go`));
    expect(go('SecureApi')).toMatch(/^type SecureApi interface \{\n\tconstructs\.Construct$/m);
    expect(go('SecureApi')).toMatch(/^func NewSecureApi\(scope constructs\.Construct, id \*string, props \*SecureApiProps\) SecureApi \{/m);
    expect(go('SecureApiProps')).toMatch(/^type SecureApiProps struct \{/m);
    for (const factory of ['EqualTo', 'OneOf', 'Includes']) {
      expect(go('ClaimCondition')).toMatch(new RegExp(`^func ClaimCondition_${factory}\\(claim \\*string, `, 'm'));
    }
    expect(go('ScopeMatch')).toMatch(/^type ScopeMatch string$/m);
    expect(go('ScopeMatch')).toMatch(/^\tScopeMatch_ANY ScopeMatch = "ANY"$/m);
    expect(go('TableDataEvents')).toMatch(/^\tTableDataEvents_WRITES TableDataEvents = "WRITES"$/m);
    expect(go('RouteAccessOptions')).toMatch(/^\tPublicAccess \*bool `field:"optional" json:"publicAccess" yaml:"publicAccess"`$/m);
  });

  test('every exported type and member keeps its idiomatic name in every language (no reserved-word renames)', () => {
    const missing: string[] = [];
    const expectIn = (where: string, text: string, pattern: RegExp, what: string) => {
      if (!pattern.test(text)) missing.push(`${where}: ${what} (${pattern})`);
    };
    const python = read(path.join(dirs.python, '__init__.py'));
    // Python: a type's part of the module, from its `jsii_type="secure-api.Name"` (in the decorator or the class
    // header) to the next type's.
    const pythonType = (name: string) => python.match(
      new RegExp(`jsii_type="${escape(assembly.name)}\\.${name}"[\\s\\S]*?(?=jsii_type="${escape(assembly.name)}\\.|(?![\\s\\S]))`))?.[0] ?? '';
    const file = (dir: string, name: string) => (fs.existsSync(path.join(dir, name)) ? read(path.join(dir, name)) : '');

    expect(types.length).toBeGreaterThanOrEqual(30);
    for (const type of types) {
      const py = pythonType(type.name);
      const java = file(dirs.java, `${type.name}.java`);
      const cs = file(dirs.dotnet, `${type.datatype ? 'I' : ''}${type.name}.cs`);
      const go = file(dirs.go, `${type.name}.go`);
      expectIn('Python', python, new RegExp(`^class ${type.name}\\b`, 'm'), type.name);
      expectIn('Python', py, /./, `${type.name} (jsii_type)`);
      expectIn('Java', java, new RegExp(`^public (final )?(class|interface|enum) ${type.name}\\b`, 'm'), type.name);
      expectIn('.NET', cs, new RegExp(`public (class|interface|enum) ${type.datatype ? 'I' : ''}${type.name}\\b`), type.name);
      expectIn('Go', go, new RegExp(`^type ${type.name} `, 'm'), type.name);

      for (const member of type.members ?? []) { // enum constants
        expectIn('Python', py, new RegExp(`^    ${member.name} = "${member.name}"$`, 'm'), `${type.name}.${member.name}`);
        expectIn('Java', java, new RegExp(`^    ${member.name}[,;]$`, 'm'), `${type.name}.${member.name}`);
        expectIn('.NET', cs, new RegExp(`^        ${member.name},?$`, 'm'), `${type.name}.${member.name}`);
        expectIn('Go', go, new RegExp(`^\\t${type.name}_${member.name} ${type.name} = "${member.name}"$`, 'm'), `${type.name}.${member.name}`);
      }
      for (const prop of type.properties ?? []) {
        const what = `${type.name}.${prop.name}`;
        expectIn('Python', py, new RegExp(`def ${snake(prop.name)}\\(\\s*self`), what);
        expectIn('Java', java, new RegExp(`\\bget${pascal(prop.name)}\\(\\)`), what);
        expectIn('.NET', cs, new RegExp(`\\s${pascal(prop.name)}\\s*$`, 'm'), what);
        expectIn('Go', go, type.datatype
          ? new RegExp(`^\\t${pascal(prop.name)} .*json:"${prop.name}"`, 'm')
          : new RegExp(`^\\t${pascal(prop.name)}\\(\\) `, 'm'), what);
        if (type.datatype) {
          expectIn('Python', py, new RegExp(`"${snake(prop.name)}": "${prop.name}"`), `${what} (name mapping)`);
        }
      }
      for (const method of type.methods ?? []) {
        const what = `${type.name}.${method.name}()`;
        expectIn('Python', py, new RegExp(`jsii_name="${method.name}"\\)\\n(\\s+@builtins\\.classmethod\\n)?\\s+def ${snake(method.name)}\\(`), what);
        expectIn('Java', java, new RegExp(`\\s${method.name}\\(final `), what);
        expectIn('.NET', cs, new RegExp(`\\s${pascal(method.name)}\\(`), what);
        expectIn('Go', go, method.static
          ? new RegExp(`^func ${type.name}_${pascal(method.name)}\\(`, 'm')
          : new RegExp(`^\\t${pascal(method.name)}\\(`, 'm'), what);
      }
    }
    expect(missing).toEqual([]);
  });
});
