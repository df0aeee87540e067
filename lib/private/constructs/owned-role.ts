import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

/** The name of the inline policy that holds an `OwnedRole`'s permissions. */
export const OWNED_ROLE_POLICY_NAME = 'Permissions';

/** Properties of an `OwnedRole`. */
export interface OwnedRoleProps {
  /** The service that assumes the role. */
  readonly assumedBy: iam.IPrincipal;
  readonly description: string;
  /** The first statements: at least one, so that the inline policy is never empty. */
  readonly statements: iam.PolicyStatement[];
}

/**
 * A role that keeps the permissions its aggregate gives it in itself: until `seal()`, every
 * statement added to it (ours, and those of CDK's grants and event sources) goes into one inline
 * policy of the `AWS::IAM::Role`, not into a separate `AWS::IAM::Policy` (the "DefaultPolicy" of
 * `iam.Role`). That is one resource less per function, under the 500-resource cap of a stack,
 * and the same permissions: an `AWS::IAM::Policy` is itself an inline policy of its roles, so the
 * size quota (10,240 characters of inline policy per role) is the one it was.
 *
 * The function depends on its role, so it is created once its permissions are there, as it was
 * once the default policy was. A statement that names the function itself (a self-invoke) cannot
 * be inline (Function -> Role -> Function would be a cycle): attach it as an `iam.Policy` of its own.
 *
 * Once sealed, the role is a plain `iam.Role`: the user's grants go to its DefaultPolicy. The
 * role then does not depend on what the user grants, so a resource of theirs that names the role
 * (say, a key policy) makes no cycle, and CDK still splits a large default policy into managed
 * policies.
 */
export class OwnedRole extends iam.Role {
  /** Seals every `OwnedRole` in `scope`: what is added to them from now on goes to their default policies. */
  public static sealAll(scope: Construct): void {
    for (const role of scope.node.findAll()) if (role instanceof OwnedRole) role.sealed = true;
  }

  private readonly permissions: iam.PolicyDocument;
  private sealed = false;

  constructor(scope: Construct, id: string, props: OwnedRoleProps) {
    // Created before the role, to be passed to it; it resolves at synthesis, so statements added
    // later (grants, event sources) are in the template.
    const permissions = new iam.PolicyDocument({ statements: props.statements });
    super(scope, id, {
      assumedBy: props.assumedBy,
      description: props.description,
      inlinePolicies: { [OWNED_ROLE_POLICY_NAME]: permissions },
    });
    this.permissions = permissions;
    // An empty document would synthesize a policy with no PolicyDocument, which CloudFormation refuses.
    this.node.addValidation({
      validate: () => (permissions.isEmpty ? [`${this.node.path}: an OwnedRole needs at least one statement.`] : []),
    });
  }

  /**
   * Adds `statement` to the role's inline policy, or once sealed to its default policy. What
   * depends on an inline grant depends on the role, whose creation carries the statement.
   */
  public override addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    if (this.sealed) return super.addToPrincipalPolicy(statement);
    this.permissions.addStatements(statement);
    return { statementAdded: true, policyDependable: this };
  }
}
