import json,sys
r=json.load(open(sys.argv[1] if len(sys.argv)>1 else 'cdk.out/validation-report.json'))
for p in r['pluginReports']:
    print('==',p['pluginName'],p['conclusion'],len(p['violations']))
    for v in p['violations']:
        paths=[c['constructPath'].replace('SecureApiDemo/','') for c in v['violatingConstructs']]
        print(' ',v['ruleName'][:90],v['severity'],'|',', '.join(paths)[:400])
